// drover-agent killed with -9 while a hook runs, then started again. By design (docs/agent.md, "Reliability") the
// agent journals a command before running it, so:
//  - restarted before the agent counts as lost: the new process finds the unfinished command in its journal and
//    reports it Failed ("agent restarted during <event>") at once; the host fails, nothing is re-run;
//  - restarted only after AGENT_LOST_AFTER_SECONDS: the sweeper has already failed the event as "agent lost"; the
//    agent's late report is a replay that changes nothing.
// Either way the hook is never run a second time (the killed agent's hook process is orphaned, as in production,
// and may still finish), the following events are skipped, and the same agent then deploys a new revision cleanly.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TargetInfo } from '@drover/contracts';
import { hold, recordingBundle, release } from '../support/chaos-bundle';
import { expectNoServerErrors, expectSucceededOnce, homeOf, hookCounts } from '../support/chaos-checks';
import { startChaosStack, waitUntil, type ChaosStack } from '../support/chaos-stack';
import type { AgentProcess } from '../support/processes';

const LOST_AFTER_SECONDS = 8;
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    env: { AGENT_LOST_AFTER_SECONDS: String(LOST_AFTER_SECONDS), EVENT_TIMEOUT_GRACE_SECONDS: '2' },
    workers: 1,
  });
});
afterAll(async () => {
  await stack?.close();
});

/** Deploys to the one host of `group`, kills its agent with -9 in the middle of ApplicationStart, waits, restarts it. */
async function killMidHook(group: string, agent: AgentProcess, downMs: number) {
  const revisionId = await stack.uploadRevision('shop', recordingBundle(`${group}-v1`));
  hold(homeOf(agent), 'ApplicationStart');
  const id = await stack.deploy('shop', group, revisionId);
  await waitUntil(
    `${agent.name} in ApplicationStart`,
    () => hookCounts(agent, id).starts.ApplicationStart === 1,
    60_000,
  );
  await agent.stop('SIGKILL');
  await new Promise((r) => setTimeout(r, downMs));
  await agent.restart();
  const d = await stack.waitForTerminal(id, 60_000);
  const [target] = await stack.targets(id);
  release(homeOf(agent), 'ApplicationStart');
  return { id, d, target: target! };
}

function events(t: TargetInfo) {
  return Object.fromEntries(t.lifecycleEvents.map((e) => [e.lifecycleEventName, `${e.status}/${e.attempt}`]));
}

/** Before the kill everything succeeded once; ApplicationStart failed on its only attempt; the rest was skipped. */
function expectFailedAtApplicationStart(t: TargetInfo) {
  expect(t.status).toBe('Failed');
  expect(events(t)).toEqual({
    ApplicationStop: 'Succeeded/1',
    DownloadBundle: 'Succeeded/1',
    BeforeInstall: 'Succeeded/1',
    Install: 'Succeeded/1',
    AfterInstall: 'Succeeded/1',
    ApplicationStart: 'Failed/1',
    ValidateService: 'Skipped/0',
  });
}

it('fails the host at once with "agent restarted" when the agent comes back quickly, and never re-runs the hook', async () => {
  await stack.createGroup('shop', 'quick', 'OneAtATime');
  const agent = stack.startAgent('quick-1', 'quick');
  await stack.waitForInstances('quick-', 1);

  const { id, d, target } = await killMidHook('quick', agent, 200);
  expect(d.status).toBe('Failed');
  expect(d.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
  expectFailedAtApplicationStart(target);
  const start = target.lifecycleEvents.find((e) => e.lifecycleEventName === 'ApplicationStart')!;
  expect(start.diagnostics).toMatchObject({
    errorCode: 'UnknownError',
    message: 'agent restarted during ApplicationStart',
  });
  expect(hookCounts(agent, id).starts).toEqual({ BeforeInstall: 1, AfterInstall: 1, ApplicationStart: 1 });

  // The restarted agent is healthy: the next revision deploys cleanly (ApplicationStop runs the scripts of the
  // revision installed last, the one whose ApplicationStart was interrupted).
  const next = await stack.deploy('shop', 'quick', await stack.uploadRevision('shop', recordingBundle('quick-v2')));
  expect((await stack.waitForTerminal(next)).status).toBe('Succeeded');
  await expectSucceededOnce(stack, next, [agent], { applicationStopRuns: true });
  expectNoServerErrors(stack, [agent]);
});

it('fails the host as "agent lost" when the agent stays down, and the late report changes nothing', async () => {
  await stack.createGroup('shop', 'slow', 'OneAtATime');
  const agent = stack.startAgent('slow-1', 'slow');
  await stack.waitForInstances('slow-', 1);

  // Down for well over the threshold: the sweeper decides before the agent is back.
  const { id, d, target } = await killMidHook('slow', agent, (LOST_AFTER_SECONDS + 4) * 1000);
  expect(d.status).toBe('Failed');
  expectFailedAtApplicationStart(target);
  expect(target.errorCode).toBe('AGENT_LOST');
  const start = target.lifecycleEvents.find((e) => e.lifecycleEventName === 'ApplicationStart')!;
  expect(start.diagnostics?.errorCode).toBe('UnknownError');
  expect(start.diagnostics?.message).toMatch(/^agent lost: no poll or heartbeat from slow-1 for 8 s/);
  expect(hookCounts(agent, id).starts).toEqual({ BeforeInstall: 1, AfterInstall: 1, ApplicationStart: 1 });

  // The restarted agent delivered its journalled failure as a replay (the API answered with what it had recorded)
  // and carries on.
  await waitUntil(
    'the journalled result to be delivered',
    () => /result delivered; the API recorded Failed/.test(agent.output()),
    30_000,
  );
  const next = await stack.deploy('shop', 'slow', await stack.uploadRevision('shop', recordingBundle('slow-v2')));
  expect((await stack.waitForTerminal(next)).status).toBe('Succeeded');
  await expectSucceededOnce(stack, next, [agent], { applicationStopRuns: true });
  expectNoServerErrors(stack, [agent]);
});
