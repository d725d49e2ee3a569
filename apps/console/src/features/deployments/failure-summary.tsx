// Why a deployment failed or stopped, cause first: which hosts failed at which event, the script, its exit code and
// the last lines of its output, one click from the full log. The health arithmetic of the API's error message
// follows as a detail; a deployment stopped on request reads as stopped, not as a failure.
import type { DeploymentInfo, LifecycleEventInfo, LifecycleEventName, TargetInfo } from '@drover/contracts';
import { failedOnItsOwn, hostStatus } from './grid-model';
import type { CellRef } from './host-grid';

export interface HostFailure {
  targetId: string;
  eventName: LifecycleEventName;
  scriptName: string | null;
  exitCode: number | null;
  errorCode: string;
  message: string | null;
  /** The last lines of the hook's output (at most LAST_LINES). */
  lastLines: string[];
}

export const LAST_LINES = 5;
/** More failures than this are counted, not listed. */
export const MAX_LISTED = 5;

function failureOf(t: TargetInfo, e: LifecycleEventInfo): HostFailure {
  const d = e.diagnostics;
  const exit = d?.message ? /exit code (\d+)/.exec(d.message) : null;
  const all = (d?.logTail ?? '').split('\n').filter((l) => l.trim() !== '');
  // The script's own output says why; the agent's lines repeat what the header already says.
  const own = all.filter((l) => !l.startsWith('[agent]'));
  const lines = own.length > 0 ? own : all;
  return {
    targetId: t.targetId,
    eventName: e.lifecycleEventName,
    scriptName: d?.scriptName ?? null,
    exitCode: exit ? Number(exit[1]) : null,
    errorCode: d?.errorCode ?? t.errorCode ?? 'UnknownError',
    message: d?.message ?? t.errorMessage,
    lastLines: lines.slice(-LAST_LINES),
  };
}

/** Every host's first failed event, in the order the hosts ran (batch, then name). */
export function hostFailures(targets: readonly TargetInfo[]): HostFailure[] {
  const out: HostFailure[] = [];
  const sorted = [...targets].sort((a, b) => a.batch - b.batch || (a.targetId < b.targetId ? -1 : 1));
  for (const t of sorted) {
    const e = t.lifecycleEvents.find(failedOnItsOwn);
    if (e) out.push(failureOf(t, e));
    else if (t.status === 'Failed' && hostStatus(t) === 'Failed') {
      // Failed without a failed event (its agent was lost, say): the host's own error says why.
      const last = [...t.lifecycleEvents].reverse().find((x) => x.status !== 'Pending' && x.status !== 'Skipped');
      out.push({
        targetId: t.targetId,
        eventName: last?.lifecycleEventName ?? t.lifecycleEvents[0]?.lifecycleEventName ?? 'ApplicationStop',
        scriptName: null,
        exitCode: null,
        errorCode: t.errorCode ?? 'UnknownError',
        message: t.errorMessage,
        lastLines: [],
      });
    }
  }
  return out;
}

/** What to do about a deployment-level error that no host's log explains. */
export const ERROR_ADVICE: Partial<Record<string, string>> = {
  HEALTH_CONSTRAINTS_INVALID:
    'The group has too few hosts for the configuration to keep its minimum healthy while deploying. Register more hosts with the group\u2019s tags, or deploy with a configuration that needs fewer healthy hosts (AllAtOnce, or a custom one).',
  NO_INSTANCES:
    'No registered host matches the deployment group\u2019s tags. Check the group\u2019s tag filters on its page, or register a host with those tags (Instances).',
  AGENT_LOST:
    'A host\u2019s agent stopped answering. Check that drover-agent runs on it and can reach the API, then deploy again.',
  TIMEOUT: 'The deployment waited longer than allowed. Check the hosts that had not finished.',
  REVISION_MISSING: 'The revision is gone. Upload it again and deploy the new revision.',
  TRAFFIC_CONTROL:
    'The load balancer refused or could not take a traffic change. Open the failed traffic event\u2019s log for its answer.',
};

const sentence = (f: HostFailure): string => {
  const script = f.scriptName ? ` (${f.scriptName}` + (f.exitCode !== null ? `, exit code ${f.exitCode})` : ')') : '';
  return `${f.eventName} failed on ${f.targetId}${script}`;
};

export function FailureSummary({
  deployment: d,
  targets,
  onOpenLog,
}: {
  deployment: DeploymentInfo;
  targets: readonly TargetInfo[] | undefined;
  onOpenLog: (ref: CellRef) => void;
}) {
  if (!d.errorInformation) return null;
  const { code, message } = d.errorInformation;
  const failures = targets ? hostFailures(targets) : [];
  if (code === 'MANUAL_STOP' || d.status === 'Stopped') {
    const stopped = targets ? targets.filter((t) => hostStatus(t) === 'Stopped').length : null;
    return (
      <section className="cause cause-stopped" aria-label="Why the deployment stopped" role="status">
        <h2>
          <span aria-hidden="true">■ </span>Stopped on request
        </h2>
        <p>
          {stopped !== null && stopped > 0
            ? stopped === 1
              ? '1 host was stopped before finishing; nothing it ran failed on its own. '
              : `${stopped} hosts were stopped before finishing; nothing they ran failed on their own. `
            : ''}
          Hosts that had not started were skipped.
        </p>
        {failures.length > 0 ? <FailureList failures={failures} onOpenLog={onOpenLog} /> : null}
        <details>
          <summary>Details</summary>
          <p className="mono small">
            {code}: {message}
          </p>
        </details>
      </section>
    );
  }
  const advice = ERROR_ADVICE[code];
  return (
    <section className="cause cause-failed" aria-label="Why the deployment failed" role="alert">
      <h2>
        <span aria-hidden="true">✕ </span>
        {failures.length > 0 ? sentence(failures[0]!) : 'The deployment failed'}
        {failures.length > 1 ? ` and ${failures.length - 1} more host${failures.length === 2 ? '' : 's'}` : ''}
      </h2>
      {failures.length > 0 ? <FailureList failures={failures} onOpenLog={onOpenLog} /> : null}
      {failures.length === 0 ? <p>{message}</p> : null}
      {advice ? (
        <p>
          <strong>What to do: </strong>
          {advice}
        </p>
      ) : null}
      {failures.length > 0 ? (
        <details>
          <summary>Why that ended the deployment ({code})</summary>
          <p className="mono small">{message}</p>
        </details>
      ) : (
        <p className="muted small mono">{code}</p>
      )}
    </section>
  );
}

function FailureList({ failures, onOpenLog }: { failures: HostFailure[]; onOpenLog: (ref: CellRef) => void }) {
  return (
    <>
      <ul className="cause-list" aria-label="Failed hosts">
        {failures.slice(0, MAX_LISTED).map((f) => (
          <li key={f.targetId}>
            <div className="cause-head">
              <span>
                <strong className="mono">{f.targetId}</strong> · {f.eventName}
                {f.scriptName ? (
                  <>
                    {' '}
                    · <span className="mono">{f.scriptName}</span>
                  </>
                ) : null}
                {f.exitCode !== null ? <> · exit code {f.exitCode}</> : <> · {f.errorCode}</>}
              </span>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => onOpenLog({ targetId: f.targetId, eventName: f.eventName })}
              >
                Open the full log
                <span className="visually-hidden">
                  {' '}
                  of {f.eventName} on {f.targetId}
                </span>
              </button>
            </div>
            {f.message && f.exitCode === null ? <div className="small">{f.message}</div> : null}
            {f.lastLines.length > 0 ? (
              <pre className="cause-tail" aria-label={`Last lines of ${f.eventName} on ${f.targetId}`}>
                {f.lastLines.join('\n')}
              </pre>
            ) : null}
          </li>
        ))}
      </ul>
      {failures.length > MAX_LISTED ? (
        <p className="small muted">
          And {failures.length - MAX_LISTED} more failed host{failures.length - MAX_LISTED === 1 ? '' : 's'}: filter the
          grid by Failed.
        </p>
      ) : null}
    </>
  );
}
