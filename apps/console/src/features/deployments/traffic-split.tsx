// A canary/linear blue/green deployment's traffic: the split now (a bar and its words), the plan's steps with the
// current one marked, the next step with a live countdown, and two confirmed actions — "Promote now" (POST
// …/promote: skip the remaining steps) and "Roll back" (stop with rollback: all traffic back to the original hosts).
import { isTerminalDeploymentStatus, type DeploymentInfo } from '@drover/contracts';
import { useId, useState } from 'react';
import { useRoleOn } from '../../api/auth/permissions';
import { useDeploymentAction } from '../../api/deployments/mutations';
import { usePromoteDeployment } from '../../api/deployments/traffic';
import { useConfirmAction } from '../../components/confirm-action';
import { ConfirmDialog } from '../../components/dialog';
import { formatDuration, formatExact } from '../../lib/format';
import { actionStates, type ActionState } from './actions';
import { timeLeft } from './blue-green-model';
import { planSteps, promoteState, splitOf, splitText, type PlanStepState, type TrafficPlan } from './traffic-model';

const PLAN_ICON: Record<PlanStepState, string> = { done: '✓', current: '●', setting: '◐', upcoming: '○' };
const PLAN_TEXT: Record<PlanStepState, string> = {
  done: 'done',
  current: 'current step',
  setting: 'being set',
  upcoming: 'not started',
};

const fmtInterval = (s: number) => formatDuration(s * 1000);

export function TrafficSplit({
  deployment: d,
  traffic: t,
  now,
}: {
  deployment: DeploymentInfo;
  traffic: TrafficPlan;
  now: number;
}) {
  const role = useRoleOn({ applicationName: d.applicationName, deploymentGroupName: d.deploymentGroupName });
  const [notice, setNotice] = useState<string | null>(null);
  const promote = useConfirmAction(
    usePromoteDeployment(d.deploymentId),
    () => undefined,
    () => setNotice('Promote requested: all traffic moves to the replacement hosts.'),
  );
  const rollback = useConfirmAction(
    useDeploymentAction(d.deploymentId),
    () => 'stopAndRollback' as const,
    () => setNotice('Stop and roll back requested: traffic goes back to the original hosts.'),
  );
  const split = splitOf(t);
  const steps = planSteps(t);
  const running = !isTerminalDeploymentStatus(d.status);
  const promoteNow = promoteState(d, role);
  const stopAndRollback = actionStates(d, role).stopAndRollback;
  // The same action as the page's "Stop and roll back"; for shifted traffic it means all weight back at once.
  const rollbackNow: ActionState = stopAndRollback.enabled
    ? { enabled: true, reason: 'Stops the deployment and takes all traffic back to the original hosts.' }
    : stopAndRollback;
  const left = timeLeft(t.nextStepAt, now);

  return (
    <div className="bg-wait traffic-shift" role="group" aria-labelledby="traffic-split-h">
      <h3 id="traffic-split-h">
        Traffic shift{' '}
        <span className="muted small">
          ({t.steps.map((p) => `${p} %`).join(' → ')}, every {fmtInterval(t.intervalSeconds)})
        </span>
      </h3>
      <div className="split-bar" aria-hidden="true">
        <span className="split-replacement" style={{ width: `${split.replacement}%` }} />
        <span className="split-original" style={{ width: `${split.original}%` }} />
      </div>
      <p className="split-text" aria-label="Traffic split">
        <strong>{split.replacement} % replacement</strong> / {split.original} % original
        {t.percent === null ? <span className="muted"> (the first step is not set yet)</span> : null}
      </p>
      {split.setting !== null && running ? (
        <p className="notice" role="status">
          Setting {split.setting} %… <span className="muted">the balancers are being given the new weights.</span>
        </p>
      ) : null}
      <ol className="plan-steps" aria-label="Traffic plan">
        {steps.map((s) => (
          <li
            key={s.n}
            className={`plan-step plan-step-${s.state}`}
            aria-current={s.state === 'current' ? 'step' : undefined}
          >
            <span aria-hidden="true">{PLAN_ICON[s.state]} </span>
            Step {s.n}: {s.percent} %
            <span className={s.state === 'current' || s.state === 'setting' ? 'small' : 'visually-hidden'}>
              {' '}
              ({PLAN_TEXT[s.state]})
            </span>
          </li>
        ))}
      </ol>
      {running ? <NextStep t={t} left={left} status={d.status} /> : null}
      {running ? (
        <div className="actions">
          {promoteNow.applies ? (
            <ActionButton label="Promote now" tone="primary" state={promoteNow} onClick={() => promote.ask(null)} />
          ) : null}
          <ActionButton label="Roll back" tone="danger" state={rollbackNow} onClick={() => rollback.ask(null)} />
        </div>
      ) : null}
      <span className="visually-hidden" role="status">
        {notice}
      </span>
      {promote.dialog.open ? (
        <ConfirmDialog {...promote.dialog} title="Promote now?" confirmLabel="Promote now" tone="primary">
          <p>
            The remaining steps
            {steps.some((s) => s.state === 'upcoming')
              ? ` (${steps
                  .filter((s) => s.state === 'upcoming')
                  .map((s) => `${s.percent} %`)
                  .join(', ')})`
              : ''}{' '}
            and the bake time are skipped: all traffic moves to the replacement hosts at the next step, then the
            original hosts are blocked. Alarms are still watched until the deployment ends.
          </p>
          <p className="mono small">{d.deploymentId}</p>
        </ConfirmDialog>
      ) : null}
      {rollback.dialog.open ? (
        <ConfirmDialog {...rollback.dialog} title="Roll back this deployment?" confirmLabel="Roll back" tone="danger">
          <p>
            The deployment stops and all traffic goes back to the original hosts at once (now {splitText(split)}). The
            replacement hosts leave the balancer; the original hosts keep serving the revision they have.
          </p>
          <p className="mono small">{d.deploymentId}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function NextStep({ t, left, status }: { t: TrafficPlan; left: number | null; status: DeploymentInfo['status'] }) {
  if (t.promoteRequested) return <p>Promote requested: all traffic moves to the replacement hosts next.</p>;
  if (t.nextPercent === null || left === null) {
    if (t.percent === 100) {
      return (
        <p>
          All traffic is on the replacement hosts
          {status === 'Baking' ? '; the bake runs before the original hosts are blocked.' : '.'}
        </p>
      );
    }
    return null;
  }
  return (
    <p>
      Next: <strong>{t.nextPercent} %</strong>{' '}
      {left > 0 ? (
        <>
          in{' '}
          <strong role="timer" className="countdown">
            {formatDuration(left)}
          </strong>{' '}
          <span className="muted">
            (at <time dateTime={t.nextStepAt ?? undefined}>{formatExact(t.nextStepAt ?? '')}</time>)
          </span>
        </>
      ) : (
        'due now'
      )}
    </p>
  );
}

function ActionButton({
  label,
  tone,
  state,
  onClick,
}: {
  label: string;
  tone: 'primary' | 'danger';
  state: ActionState;
  onClick: () => void;
}) {
  const reasonId = useId();
  return (
    <>
      <button
        type="button"
        className={`btn ${tone === 'danger' ? 'btn-danger' : 'btn-primary'}`}
        disabled={!state.enabled}
        aria-describedby={reasonId}
        onClick={onClick}
      >
        {label}
      </button>
      <span id={reasonId} className={state.enabled ? 'visually-hidden' : 'muted small'}>
        {state.reason}
      </span>
    </>
  );
}
