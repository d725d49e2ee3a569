// A blue/green deployment's progress: where traffic is, the steps (Install replacement → Ready → Reroute → (Shift
// traffic, canary/linear: see traffic-split.tsx) → Block original → Terminate wait → Done), and its two waits, each ended early by a confirmed button: "Reroute traffic"
// (ContinueDeployment READY_WAIT) and "Terminate original now" (TERMINATION_WAIT).
import { isTerminalDeploymentStatus, type BlueGreenProgress, type DeploymentInfo } from '@drover/contracts';
import { useId, useState } from 'react';
import { useRoleOn } from '../../api/auth/permissions';
import { useContinueDeployment, type DeploymentWait } from '../../api/deployments/mutations';
import { useConfirmAction } from '../../components/confirm-action';
import { ConfirmDialog } from '../../components/dialog';
import { formatDuration, formatExact } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { waitActionStates, type WaitAction, type WaitActionState } from './actions';
import {
  blueGreenSteps,
  STEP_STATE_TEXT,
  timeLeft,
  trafficWording,
  type Step,
  type StepState,
} from './blue-green-model';
import { TrafficSplit } from './traffic-split';

const WAIT_OF: Record<WaitAction, DeploymentWait> = { reroute: 'READY_WAIT', terminate: 'TERMINATION_WAIT' };

const COPY: Record<
  WaitAction,
  { label: string; title: string; confirm: string; tone: 'danger' | 'primary'; body: string; done: string }
> = {
  reroute: {
    label: 'Reroute traffic',
    title: 'Reroute traffic to the replacement hosts?',
    confirm: 'Reroute traffic',
    tone: 'primary',
    body: 'The replacement hosts start taking traffic (BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic), then the original hosts are blocked from it. If the replacement hosts cannot take traffic, it stays on or goes back to the original hosts.',
    done: 'Reroute requested: traffic is moving to the replacement hosts.',
  },
  terminate: {
    label: 'Terminate original now',
    title: 'Terminate the original hosts now?',
    confirm: 'Terminate original now',
    tone: 'danger',
    body: 'Ends the termination wait now instead of at its end: the original hosts, already out of traffic, are deregistered from Drover and their agents can no longer sign in. Nothing on the machines themselves is touched.',
    done: 'Termination requested: the original hosts are being retired.',
  },
};

const STEP_ICON: Record<StepState, string> = {
  done: '✓',
  current: '●',
  upcoming: '○',
  failed: '✕',
  stopped: '■',
  skipped: '–',
  notReached: '○',
};

/** States worth a visible caption; done and not-yet steps read well enough from their icon (and hidden text). */
const CAPTIONED: ReadonlySet<StepState> = new Set(['current', 'failed', 'stopped', 'skipped']);

const TRAFFIC_ICON: Record<BlueGreenProgress['trafficOn'], string> = {
  original: '◀',
  both: '⇄',
  replacement: '▶',
};

export function BlueGreenPanel({ deployment }: { deployment: DeploymentInfo }) {
  const bg = deployment.blueGreen;
  const role = useRoleOn({
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
  });
  const now = useNow(1_000);
  const [notice, setNotice] = useState<string | null>(null);
  const confirm = useConfirmAction(
    useContinueDeployment(deployment.deploymentId),
    (a: WaitAction) => WAIT_OF[a],
    (_res, a) => setNotice(COPY[a].done),
  );
  if (!bg) return null;
  const states = waitActionStates(deployment, role);
  const traffic = trafficWording(bg, deployment.status);
  const steps = blueGreenSteps(bg, deployment.status);
  const open = confirm.subject;
  const running = !isTerminalDeploymentStatus(deployment.status);

  return (
    <section className="card bg-panel" aria-labelledby="bg-h">
      <div className="card-header">
        <h2 id="bg-h">Blue/green</h2>
        <p className={`traffic traffic-${bg.trafficOn}`}>
          <span aria-hidden="true" className="traffic-icon">
            {TRAFFIC_ICON[bg.trafficOn]}
          </span>
          <strong>{traffic.headline}</strong>
        </p>
      </div>
      {bg.isRollback ? (
        <p className="notice notice-warning">
          {running
            ? 'Rolling back: traffic returns to the original hosts.'
            : deployment.status === 'Succeeded'
              ? 'Rolled back: traffic returned to the original hosts.'
              : 'Rolling back: traffic was to return to the original hosts, but the rollback did not finish.'}
        </p>
      ) : null}
      <p className="muted">{traffic.detail}</p>
      <StepIndicator steps={steps} />
      {bg.traffic && !bg.isRollback ? <TrafficSplit deployment={deployment} traffic={bg.traffic} now={now} /> : null}
      {states.reroute.applies ? (
        <ReadyWait bg={bg} now={now} state={states.reroute} onAsk={() => confirm.ask('reroute')} />
      ) : null}
      {states.terminate.applies ? (
        <TerminationWait bg={bg} now={now} state={states.terminate} onAsk={() => confirm.ask('terminate')} />
      ) : null}
      {deployment.status === 'Succeeded' && !bg.isRollback ? (
        <p className="small muted">
          {bg.terminateAction === 'TERMINATE'
            ? 'The original hosts were terminated: deregistered from Drover, the machines untouched.'
            : 'The original hosts keep running, out of traffic (KEEP_ALIVE).'}
        </p>
      ) : null}
      <span className="visually-hidden" role="status">
        {notice}
      </span>
      {open ? (
        <ConfirmDialog
          {...confirm.dialog}
          title={COPY[open].title}
          confirmLabel={COPY[open].confirm}
          tone={COPY[open].tone}
        >
          <p>{COPY[open].body}</p>
          <p className="mono small">{deployment.deploymentId}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

export function StepIndicator({ steps }: { steps: readonly Step[] }) {
  return (
    <ol className="bg-steps" aria-label="Blue/green progress">
      {steps.map((s) => (
        <li
          key={s.key}
          className={`bg-step bg-step-${s.state}`}
          aria-current={s.state === 'current' ? 'step' : undefined}
        >
          <span className="bg-step-icon" aria-hidden="true">
            {STEP_ICON[s.state]}
          </span>
          <span className="bg-step-text">
            <span className="bg-step-label">{s.label}</span>
            {CAPTIONED.has(s.state) ? (
              <span className="bg-step-caption">{s.note ?? STEP_STATE_TEXT[s.state]}</span>
            ) : (
              <span className="visually-hidden"> ({STEP_STATE_TEXT[s.state]})</span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}

function WaitButton({ action, state, onAsk }: { action: WaitAction; state: WaitActionState; onAsk: () => void }) {
  const reasonId = useId();
  return (
    <div className="actions">
      <button
        type="button"
        className={`btn ${action === 'reroute' ? 'btn-primary' : 'btn-danger'}`}
        disabled={!state.enabled}
        aria-describedby={reasonId}
        onClick={onAsk}
      >
        {COPY[action].label}
      </button>
      <span id={reasonId} className={state.enabled ? 'visually-hidden' : 'muted small'}>
        {state.reason}
      </span>
    </div>
  );
}

/** "4 m 05 s" until `until`, ticking every second. */
function Countdown({ ms }: { ms: number }) {
  return (
    <strong role="timer" className="countdown">
      {formatDuration(ms)}
    </strong>
  );
}

function ReadyWait({
  bg,
  now,
  state,
  onAsk,
}: {
  bg: BlueGreenProgress;
  now: number;
  state: WaitActionState;
  onAsk: () => void;
}) {
  const left = timeLeft(bg.readyWaitEndsAt, now);
  return (
    <div className="bg-wait" role="group" aria-labelledby="ready-wait-h">
      <h3 id="ready-wait-h">Ready: the replacement hosts are installed and waiting</h3>
      <p>Traffic stays on the original hosts until it is rerouted.</p>
      {bg.readyAction === 'CONTINUE_DEPLOYMENT' ? (
        <p>This group reroutes on its own (CONTINUE_DEPLOYMENT): traffic moves in a moment.</p>
      ) : left === null ? (
        <p>Nobody has to act by a deadline: the deployment waits until traffic is rerouted or it is stopped.</p>
      ) : left > 0 ? (
        <p>
          Reroute within <Countdown ms={left} />{' '}
          <span className="muted">
            (until <time dateTime={bg.readyWaitEndsAt ?? undefined}>{formatExact(bg.readyWaitEndsAt ?? '')}</time>)
          </span>
          . If nobody reroutes traffic by then, the deployment stops and traffic stays on the original hosts.
        </p>
      ) : (
        <p>The ready wait has ended: the deployment is stopping, and traffic stays on the original hosts.</p>
      )}
      <WaitButton action="reroute" state={state} onAsk={onAsk} />
    </div>
  );
}

function TerminationWait({
  bg,
  now,
  state,
  onAsk,
}: {
  bg: BlueGreenProgress;
  now: number;
  state: WaitActionState;
  onAsk: () => void;
}) {
  const left = timeLeft(bg.terminationAt, now);
  return (
    <div className="bg-wait" role="group" aria-labelledby="termination-wait-h">
      <h3 id="termination-wait-h">Waiting to terminate the original hosts</h3>
      <p>
        Traffic is on the replacement hosts; the original hosts are out of the balancer but still registered.{' '}
        {left !== null && left > 0 ? (
          <>
            They are terminated in <Countdown ms={left} />{' '}
            <span className="muted">
              (at <time dateTime={bg.terminationAt ?? undefined}>{formatExact(bg.terminationAt ?? '')}</time>)
            </span>
            .
          </>
        ) : (
          'The wait has ended: they are being terminated now.'
        )}{' '}
        Terminating deregisters them from Drover; nothing on the machines is touched.
      </p>
      <WaitButton action="terminate" state={state} onAsk={onAsk} />
    </div>
  );
}
