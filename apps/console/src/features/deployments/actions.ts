// When each deployment control applies. Pure, so the rules are tested once and the buttons only render them.
import { isTerminalDeploymentStatus, type DeploymentInfo, type Role } from '@drover/contracts';
import type { DeploymentAction } from '../../api/deployments/mutations';

export interface ActionState {
  enabled: boolean;
  /** Why it is disabled (shown as the button's description), or what it will do when enabled. */
  reason: string;
}

type Deployment = Pick<DeploymentInfo, 'status' | 'stopRequested' | 'previousRevisionId' | 'rollbackInfo' | 'creator'>;

const canAct = (role: Role | undefined): boolean => role === 'admin' || role === 'deployer';

export function actionStates(d: Deployment, role: Role | undefined): Record<DeploymentAction, ActionState> {
  const ended = isTerminalDeploymentStatus(d.status);
  const noRole: ActionState = { enabled: false, reason: 'Needs the deployer or admin role.' };
  const hasPrevious = d.previousRevisionId !== null;
  const rolledBack = d.rollbackInfo.rollbackDeploymentId !== null;

  const stop: ActionState = ended
    ? { enabled: false, reason: `The deployment is ${d.status}; only a running deployment can be stopped.` }
    : d.stopRequested
      ? { enabled: false, reason: 'A stop was already requested; running hooks are finishing.' }
      : { enabled: true, reason: 'Stops dispatching lifecycle events; hooks already running finish.' };

  // Ending running hooks applies while anything may run, also after a plain stop that is waiting for them.
  const stopNow: ActionState = ended
    ? stop
    : { enabled: true, reason: 'Ends the hooks running now (their scripts are killed) and stops the deployment.' };

  const stopAndRollback: ActionState = !stop.enabled
    ? stop
    : !hasPrevious
      ? { enabled: false, reason: 'There is no earlier revision on this group to roll back to.' }
      : { enabled: true, reason: 'Stops, then redeploys the last successful revision.' };

  const rollback: ActionState = !ended
    ? { enabled: false, reason: 'A running deployment is rolled back with "Stop and roll back".' }
    : rolledBack
      ? { enabled: false, reason: 'This deployment was already rolled back.' }
      : !hasPrevious
        ? { enabled: false, reason: 'There is no earlier revision on this group to roll back to.' }
        : {
            enabled: true,
            reason: 'Redeploys the last successful earlier revision to the same hosts, as a new deployment.',
          };

  const cont: ActionState =
    d.status === 'Ready'
      ? { enabled: true, reason: 'Continues the deployment past its wait.' }
      : { enabled: false, reason: 'Continue applies only while a deployment is Ready (waiting to continue).' };

  if (!canAct(role))
    return { stop: noRole, stopNow: noRole, stopAndRollback: noRole, rollback: noRole, continue: noRole };
  return { stop, stopNow, stopAndRollback, rollback, continue: cont };
}

/** The two waits of a blue/green deployment a person can end early ("continue"). */
export type WaitAction = 'reroute' | 'terminate';

export interface WaitActionState extends ActionState {
  /** The deployment is in this wait now, so its button belongs on the page. */
  applies: boolean;
}

type BlueGreenDeployment = Pick<DeploymentInfo, 'status' | 'stopRequested' | 'blueGreen'>;

/**
 * Reroute traffic (READY_WAIT) applies while a blue/green deployment waits in Ready; terminate the original hosts now
 * (TERMINATION_WAIT) while it waits to terminate them. Both need the deployer role, and neither once a stop is asked.
 */
export function waitActionStates(d: BlueGreenDeployment, role: Role | undefined): Record<WaitAction, WaitActionState> {
  const bg = d.blueGreen;
  const running = !isTerminalDeploymentStatus(d.status);
  const inReady = bg !== null && running && bg.phase === 'ready' && d.status === 'Ready';
  const inTermination = bg !== null && running && bg.phase === 'termination' && bg.terminateAction === 'TERMINATE';
  const state = (applies: boolean, notNow: string, what: string): WaitActionState =>
    !applies
      ? { applies, enabled: false, reason: notNow }
      : !canAct(role)
        ? { applies, enabled: false, reason: 'Needs the deployer or admin role.' }
        : d.stopRequested
          ? { applies, enabled: false, reason: 'A stop was requested; the deployment is ending.' }
          : { applies, enabled: true, reason: what };
  return {
    reroute: state(
      inReady,
      'Rerouting applies only while the replacement hosts wait in Ready.',
      'Moves traffic to the replacement hosts now, then blocks the original hosts.',
    ),
    terminate: state(
      inTermination,
      'Applies only while the deployment waits to terminate the original hosts.',
      'Ends the termination wait: the original hosts are terminated now.',
    ),
  };
}
