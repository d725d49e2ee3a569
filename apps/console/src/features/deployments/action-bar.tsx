// Stop / Stop and roll back / Roll back / Continue, each behind a confirmation, enabled only when it applies.
import type { DeploymentInfo } from '@drover/contracts';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useRoleOn } from '../../api/auth/permissions';
import { useDeploymentAction, type DeploymentAction } from '../../api/deployments/mutations';
import { useConfirmAction } from '../../components/confirm-action';
import { ConfirmDialog } from '../../components/dialog';
import { pagePaths } from '../../lib/page-paths';
import { actionStates } from './actions';

const COPY: Record<
  DeploymentAction,
  { label: string; title: string; confirm: string; tone: 'danger' | 'primary'; body: string }
> = {
  stop: {
    label: 'Stop',
    title: 'Stop this deployment?',
    confirm: 'Stop deployment',
    tone: 'danger',
    body: 'No new lifecycle events are handed out. Hooks already running finish (or time out); "Stop now" ends them instead. Hosts that were not reached keep their current revision; hosts in the middle may be half-updated.',
  },
  stopNow: {
    label: 'Stop now',
    title: 'Stop now, ending the running hooks?',
    confirm: 'End hooks and stop',
    tone: 'danger',
    body: 'Hooks running now end at once: each agent kills its script within a few seconds. Hosts in the middle are left half-updated, their hook cut short. Traffic steps at a load balancer still finish, so traffic stays safe.',
  },
  stopAndRollback: {
    label: 'Stop and roll back',
    title: 'Stop and roll back?',
    confirm: 'Stop and roll back',
    tone: 'danger',
    body: 'Stops this deployment, then starts a new deployment of the last successful revision to the same hosts.',
  },
  rollback: {
    label: 'Roll back',
    title: 'Roll back this deployment?',
    confirm: 'Roll back',
    tone: 'danger',
    body: 'Starts a new deployment of the last successful earlier revision to the same hosts. Files written by scripts are not reverted.',
  },
  continue: {
    label: 'Continue',
    title: 'Continue this deployment?',
    confirm: 'Continue',
    tone: 'primary',
    body: 'The deployment is waiting; continuing moves it to its next step.',
  },
};

const ORDER: DeploymentAction[] = ['continue', 'stop', 'stopNow', 'stopAndRollback', 'rollback'];

export function ActionBar({ deployment }: { deployment: DeploymentInfo }) {
  const role = useRoleOn({
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
  });
  const states = actionStates(deployment, role);
  const [notice, setNotice] = useState<string | null>(null);
  const navigate = useNavigate();
  const confirm = useConfirmAction(
    useDeploymentAction(deployment.deploymentId),
    (a: DeploymentAction) => a,
    (res, a) => {
      setNotice(`${COPY[a].label}: requested.`);
      if (res.rollbackDeploymentId) void navigate(pagePaths.deployment(res.rollbackDeploymentId));
    },
  );
  const open = confirm.subject;
  // A blue/green deployment's waits are ended from its panel ("Reroute traffic", "Terminate original now"), which
  // says which wait it ends; in-place deployments never wait, so Continue shows only for an unexpected Ready.
  const visible = ORDER.filter((a) => a !== 'continue' || (deployment.status === 'Ready' && !deployment.blueGreen));

  return (
    <>
      {visible.map((a) => (
        // A button that does not apply stays focusable (aria-disabled, not disabled), so a keyboard reaches it and
        // its reason, which shows beside it on focus or hover (not only in a mouse tooltip).
        <span key={a} className="action">
          <button
            type="button"
            className={`btn ${a === 'continue' ? 'btn-primary' : a === 'stop' ? 'btn-warning' : ''}`}
            aria-disabled={states[a].enabled ? undefined : true}
            aria-describedby={`action-${a}-reason`}
            onClick={() => {
              if (states[a].enabled) confirm.ask(a);
            }}
          >
            {COPY[a].label}
          </button>
          <span id={`action-${a}-reason`} className={states[a].enabled ? 'visually-hidden' : 'action-reason'}>
            {states[a].reason}
          </span>
        </span>
      ))}
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
    </>
  );
}
