// The assertions every chaos scenario makes: the deployment ended as it should, no lifecycle event ran twice on a
// host and none was lost (counted both in the API's records and in the hook runs on the hosts), and nobody was
// answered a 5xx that the fault does not explain.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { HOOK_EVENTS, hookRuns } from './chaos-bundle';
import { statusesInAgentLog, type Observation } from './chaos-http';
import type { ChaosStack } from './chaos-stack';
import type { AgentProcess } from './processes';

/** The agent's HOME (spawnAgent sets it to the agent's base directory): where the recording hook writes. */
export const homeOf = (agent: AgentProcess) => path.dirname(agent.rootDir);

/** "event → runs" on one host for one deployment, counting starts and ends of the recording hook. */
export function hookCounts(agent: AgentProcess, deploymentId: string) {
  const starts: Record<string, number> = {};
  const ends: Record<string, number> = {};
  for (const r of hookRuns(homeOf(agent))) {
    if (r.deploymentId !== deploymentId) continue;
    const into = r.phase === 'start' ? starts : ends;
    into[r.event] = (into[r.event] ?? 0) + 1;
  }
  return { starts, ends };
}

/**
 * The deployment succeeded on exactly these hosts; in the API every lifecycle event of every host Succeeded on its
 * first attempt (dispatched once), and on every host each hook script started and finished exactly once.
 */
export async function expectSucceededOnce(
  stack: ChaosStack,
  deploymentId: string,
  agents: AgentProcess[],
  opts: { applicationStopRuns: boolean },
) {
  const d = await stack.deployment(deploymentId);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
  const targets = await stack.targets(deploymentId);
  expect(targets.map((t) => t.targetId).sort()).toEqual(agents.map((a) => a.name).sort());
  for (const t of targets) {
    expect(t.status, `${t.targetId}: ${t.errorMessage}`).toBe('Succeeded');
    expect(t.lifecycleEvents.length).toBeGreaterThan(0);
    for (const e of t.lifecycleEvents) {
      expect({ host: t.targetId, event: e.lifecycleEventName, status: e.status, attempt: e.attempt }).toEqual({
        host: t.targetId,
        event: e.lifecycleEventName,
        status: 'Succeeded',
        attempt: 1,
      });
    }
  }
  const once = Object.fromEntries(
    [...(opts.applicationStopRuns ? ['ApplicationStop'] : []), ...HOOK_EVENTS].map((e) => [e, 1]),
  );
  for (const a of agents) {
    const { starts, ends } = hookCounts(a, deploymentId);
    expect({ host: a.name, starts, ends }).toEqual({ host: a.name, starts: once, ends: once });
  }
}

/**
 * What a real agent was answered, from its own log (it logs every failed call with the HTTP status). A log that is
 * missing, or is not the agent's from its start, fails: "no 5xx" would otherwise hold for want of evidence.
 */
export function agentStatuses(agent: AgentProcess) {
  const file = path.join(agent.logDir, 'drover-agent.log');
  if (!existsSync(file))
    throw new Error(`${agent.name}: no agent log at ${file}, so nothing shows what it was answered`);
  // Rotated logs (file.1 the most recent of them) hold the older lines.
  const rotated = [];
  for (let i = 1; existsSync(`${file}.${i}`); i++) rotated.unshift(`${file}.${i}`);
  const text = [...rotated, file].map((f) => readFileSync(f, 'utf8')).join('');
  if (!/ drover-agent \S+ starting/.test(text)) {
    throw new Error(`${agent.name}: ${file} does not show the agent starting, so it cannot show what it was answered`);
  }
  return statusesInAgentLog(text);
}

/**
 * No 5xx reached the test's client or the agents, except what `allowed` accepts (a 503 during a database outage),
 * and the API never logged an unhandled error.
 */
export function expectNoServerErrors(
  stack: ChaosStack,
  agents: AgentProcess[],
  allowed: (o: { at: number; doneAt?: number; status: number }) => boolean = () => false,
) {
  const when = (t: number) => new Date(t).toISOString();
  const unexplained = stack.client
    .serverErrors(allowed)
    .map((o) => `${when(o.at)}–${when(o.doneAt)} ${o.method} ${o.path} ${o.status}`);
  // The API's own account of what failed (error-level log lines), so a failure says why, not only that.
  const apiErrors = () =>
    stack.api
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l))
      .slice(-10)
      .join('\n');
  expect(unexplained, unexplained.length ? `the API logged:\n${apiErrors()}` : undefined).toEqual([]);
  for (const a of agents) {
    const bad = agentStatuses(a).filter((s) => s.status >= 500 && !allowed(s));
    expect(bad.map((s) => `${a.name}: ${s.line}`)).toEqual([]);
  }
  expect(stack.api.output()).not.toMatch(/unhandled error/);
}

/** Observations of 500 and above that `allowed` does not explain. */
export function unexplained5xx(seen: Observation[], allowed: (o: Observation) => boolean = () => false) {
  return seen.filter((o) => o.status >= 500 && !allowed(o));
}
