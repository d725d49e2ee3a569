// The sweeper's deadline rules (docs/agent-protocol.md, "ack"; ARCHITECTURE.md, "Sweeper"), on the real stack with a
// worker sweeping every 0.5 s: an event handed out but never acknowledged, a hook running past its timeout plus
// grace, and a ready event no agent takes each fail their host and, on a one-host group, the deployment. The agent
// side is a bare protocol session, so the silence is the test's own doing; each deadline is checked against the
// database's own timestamps, so a sweep that came too early fails the test however fast the machine is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentInfo, HostCommand, TargetInfo } from '@drover/contracts';
import { openAgentSession, type AgentSession } from '../../support/agent-session';
import { startStack, type TestStack } from '../../support/stack';
import { deploy, IN_PLACE_EVENTS, targets, waitFor } from './harness';

const ACK_TIMEOUT = 5;
const GRACE = 4;
/** Longer than the ack timeout, so a deadline the ack did not move would show. */
const HOOK_TIMEOUT = 4;

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({
    EVENT_ACK_TIMEOUT_SECONDS: String(ACK_TIMEOUT),
    EVENT_TIMEOUT_GRACE_SECONDS: String(GRACE),
  });
});
afterAll(async () => {
  await stack.close();
}, 60_000);

/** A one-host group, its host's session (registered, silent) and a started deployment to it. */
async function oneHostDeployment(group: string): Promise<{ host: AgentSession; d: DeploymentInfo }> {
  await stack.seedApp({ app: group, group });
  const rev = await stack.addRevision(group, `${group}-v1`);
  const host = await openAgentSession({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: `${group}-1`,
    tags: [{ key: 'env', value: group }],
  });
  return { host, d: await deploy(stack, group, group, rev) };
}

async function pollOnce(host: AgentSession): Promise<HostCommand> {
  for (let i = 0; i < 30; i++) {
    const { command } = await host.call<{ command: HostCommand | null }>('/poll', { waitSeconds: 1 });
    if (command) return command;
  }
  throw new Error(`${host.name}: no command`);
}

/** The host's first event as stored, with the timestamps the API does not show (readiness, hand-out, ack). */
const applicationStop = (deploymentId: string) =>
  stack.ctx.db.prisma.lifecycleEvent.findFirstOrThrow({ where: { deploymentId, name: 'ApplicationStop' } });

/** The deployment ended Failed: its one host failed as given, its first event with `diagnostics`, the rest skipped. */
async function expectFailedOnFirstEvent(
  d: DeploymentInfo,
  target: { errorCode: string; errorMessage: string },
  diagnostics: object,
) {
  const ended = await waitFor(stack, d.deploymentId, undefined, 30_000);
  expect(ended.status).toBe('Failed');
  expect(ended.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
  expect(ended.deploymentOverview).toMatchObject({ Failed: 1, InProgress: 0, Pending: 0 });
  const [t] = (await targets(stack, d.deploymentId)) as [TargetInfo];
  expect(t).toMatchObject({ status: 'Failed', ...target });
  expect(t.lifecycleEvents.map((e) => [e.lifecycleEventName, e.status])).toEqual(
    IN_PLACE_EVENTS.map((name, i) => [name, i === 0 ? 'Failed' : 'Skipped']),
  );
  expect(t.lifecycleEvents[0]?.diagnostics).toMatchObject(diagnostics);
}

describe('sweeper deadlines', () => {
  it('fails an event handed out but never acknowledged, once the ack timeout has passed', async () => {
    const { host, d } = await oneHostDeployment('noack');
    const cmd = await pollOnce(host);
    expect(cmd.lifecycleEvent).toBe('ApplicationStop');
    // No ack, no further poll (a poll would be offered the same command again): the agent went quiet.
    await expectFailedOnFirstEvent(
      d,
      { errorCode: 'AGENT_ISSUE', errorMessage: 'ApplicationStop timed out' },
      {
        errorCode: 'UnknownError',
        message: 'the agent did not acknowledge ApplicationStop in time; is drover-agent running on the host?',
      },
    );
    const e = await applicationStop(d.deploymentId);
    expect(e.ackedAt).toBeNull();
    expect(e.endedAt!.getTime() - e.dispatchedAt!.getTime()).toBeGreaterThanOrEqual(ACK_TIMEOUT * 1000);
  });

  it('fails an acknowledged hook still running past its own timeout plus the grace', async () => {
    const { host, d } = await oneHostDeployment('slowhook');
    const cmd = await pollOnce(host);
    await host.call(`/deployments/${cmd.deploymentId}/spec`);
    await host.call(`/commands/${cmd.commandId}/ack`, { isNoop: false, timeoutSeconds: HOOK_TIMEOUT });
    // The hook "runs" and never reports.
    await expectFailedOnFirstEvent(
      d,
      { errorCode: 'TIMEOUT', errorMessage: 'ApplicationStop timed out' },
      {
        errorCode: 'ScriptTimedOut',
        message: 'ApplicationStop did not finish within its timeout (appspec timeout plus grace)',
      },
    );
    const e = await applicationStop(d.deploymentId);
    // Failed no sooner than the ack plus timeout plus grace: the ack moved the deadline past the ack timeout.
    expect(e.endedAt!.getTime() - e.ackedAt!.getTime()).toBeGreaterThanOrEqual((HOOK_TIMEOUT + GRACE) * 1000);
  });

  it('fails a ready event that no agent picks up within the ack timeout', async () => {
    const { d } = await oneHostDeployment('nopoll');
    // The host registered but never polls.
    await expectFailedOnFirstEvent(
      d,
      { errorCode: 'AGENT_ISSUE', errorMessage: 'ApplicationStop was not picked up in time' },
      {
        errorCode: 'UnknownError',
        message: `no agent picked up ApplicationStop within ${ACK_TIMEOUT} s; is drover-agent running on the host?`,
      },
    );
    const e = await applicationStop(d.deploymentId);
    expect(e.dispatchedAt).toBeNull();
    expect(e.endedAt!.getTime() - e.readyAt!.getTime()).toBeGreaterThanOrEqual(ACK_TIMEOUT * 1000);
  });
});
