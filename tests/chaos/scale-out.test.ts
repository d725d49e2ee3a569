// Two API processes behind a real HAProxy (the shipped deploy/haproxy/drover-api.cfg) and two workers, on one
// PostgreSQL and one Redis, with a fleet of simulated agents polling through the balancer:
//  - what must not depend on the process a call lands on does not: a poll held on one process is woken by a
//    deployment created on the other, a live stream on one sees what agents report to the other, a token revoked on
//    one is refused by the other well before its cached verdict expires, and the log-in limit counts both;
//  - one API process killed -9 mid-deployment and restarted: no lifecycle event lost or run twice, no 5xx but 503 seen
//    by any agent, the deployment Succeeded with every host's events in order, exactly once;
//  - the same with one of the two workers killed -9 (and restarted) mid-deployment.
// The statuses the fleet saw are printed with the timings, for the report.
import { Redis } from '@drover/engine';
import { AGENT_API_PREFIX, type DeploymentInfo, type HostCommand, type TargetInfo } from '@drover/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBalancedApis, type BalancedApis } from '../support/balanced-apis';
import { recordingBundle } from '../support/chaos-bundle';
import { unexplained5xx } from '../support/chaos-checks';
import { startFleet, type Fleet } from '../support/chaos-fleet';
import { startChaosStack, waitUntil, type ChaosStack } from '../support/chaos-stack';

// 1,000 hosts, as the issue asks; SCALE_OUT_HOSTS=<n> for a quicker look. On the shared 2-core machine (load 10-12
// from other work) two runs took 345 s and 218 s for the file: registering the fleet 94 s / 73 s, the deployment with
// the API kill 110 s / 61 s, the one with the worker kill 84 s / 39 s; the fleet saw only 200s both times.
const HOSTS = Number(process.env.SCALE_OUT_HOSTS ?? 1000);
let stack: ChaosStack;
let lb: BalancedApis;
let fleet: Fleet | undefined;
/** An admin API token's Authorization header, valid on both processes. */
let adminAuth: string;

beforeAll(async () => {
  // HAProxy reaches the API from 127.0.0.1: believe its X-Forwarded-For, as TRUSTED_PROXIES does in production.
  stack = await startChaosStack({ workers: 2, env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const { token } = await stack.client.expect<{ token: string }>(201, 'POST', '/v1/tokens', {
    json: { name: 'through the balancer', role: 'admin' },
  });
  adminAuth = `Bearer ${token}`;
  lb = await startBalancedApis(stack, adminAuth);
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  await lb?.close();
  await stack?.close();
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls the agent protocol of one API process as the host holding `credential`. */
async function agentCall<T>(base: string, credential: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${AGENT_API_PREFIX}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Server-sent events of one stream, collected until it ends. */
function openStream(url: string, authorization: string) {
  const events: { event: string; data: unknown }[] = [];
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(url, { headers: { authorization }, signal: abort.signal });
    if (res.status !== 200) throw new Error(`stream ${url}: ${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch((err: Error) => {
    if (!abort.signal.aborted) throw err;
  });
  return { events, done, close: () => abort.abort() };
}

it('behaves the same whichever API process a call lands on', async () => {
  const [api1, api2] = lb.directUrls;
  const one = lb.direct(0);

  // A host registered on api-2 holds a poll there; the deployment is created on api-1.
  await stack.createGroup('probe', 'probe', 'AllAtOnce');
  const revisionId = await stack.uploadRevision('probe', recordingBundle('scale-out-probe'));
  const reg = await fetch(`${api2}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      registrationToken: stack.registrationToken,
      name: 'probe-1',
      tags: [{ key: 'env', value: 'probe' }],
      agentVersion: 'probe',
    }),
  });
  expect(reg.status).toBe(201);
  const { credential } = (await reg.json()) as { credential: string };
  const held = agentCall<{ command: HostCommand | null }>(api2, credential, '/poll', {
    agentVersion: 'probe',
    waitSeconds: 25,
  });
  await waitUntil('api-2 holding the probe poll', async () => (await lb.heldPolls())[1] === 1, 20_000);
  const created = await one.expect<DeploymentInfo>(201, 'POST', '/v1/deployments', {
    json: { applicationName: 'probe', deploymentGroupName: 'probe', revisionId },
  });
  // Woken through Redis: without the wake-up crossing processes the poll would end empty after its 25 s.
  const { command } = await held;
  expect(command?.deploymentId).toBe(created.deploymentId);

  // A live stream on api-2 sees what the host reports to api-1.
  const live = openStream(`${api2}/v1/deployments/${created.deploymentId}/events`, adminAuth);
  const redis = new Redis(stack.redis.url);
  try {
    await waitUntil(
      "api-2's stream subscribed to the deployment's channel",
      async () => {
        const [, n] = (await redis.pubsub('NUMSUB', `chaos:dep:${created.deploymentId}`)) as [string, number];
        return Number(n) >= 1;
      },
      20_000,
    );
  } finally {
    redis.disconnect();
  }
  let next: HostCommand | null = command;
  while (next) {
    const c = `/commands/${next.commandId}`;
    await agentCall(api1, credential, `/deployments/${next.deploymentId}/spec`);
    await agentCall(api1, credential, `${c}/ack`, { isNoop: false, timeoutSeconds: 60 });
    await agentCall(api1, credential, `${c}/logs`, { seq: 0, data: `[stdout] ${next.lifecycleEvent} via api-1\n` });
    ({ next } = await agentCall<{ next: HostCommand | null }>(api1, credential, `${c}/complete`, {
      status: 'Succeeded',
      diagnostics: { errorCode: 'Success', message: 'probe' },
    }));
  }
  expect((await stack.waitForTerminal(created.deploymentId, 60_000)).status).toBe('Succeeded');
  await live.done; // the stream ends by itself once the deployment has finished
  const statuses = live.events.filter((e) => e.event === 'deployment').map((e) => (e.data as DeploymentInfo).status);
  expect(statuses.at(-1)).toBe('Succeeded');
  expect(live.events.some((e) => e.event === 'log' && /via api-1/.test((e.data as { data: string }).data))).toBe(true);
  expect(live.events.some((e) => e.event === 'target' && (e.data as TargetInfo).status === 'Succeeded')).toBe(true);

  // A token used on api-2 (so api-2 caches its verdict), revoked on api-1, is refused by api-2 at once.
  const t = await one.expect<{ id: string; token: string }>(201, 'POST', '/v1/tokens', {
    json: { name: 'revoked on the other process', role: 'viewer' },
  });
  const asToken = { authorization: `Bearer ${t.token}` };
  const onTwo = () => fetch(`${api2}/v1/applications`, { headers: asToken }).then((r) => r.status);
  expect(await onTwo()).toBe(200);
  await one.expect(204, 'DELETE', `/v1/tokens/${t.id}`);
  // api-1's notice reaches api-2 through Redis a moment later; a limit below the cache's 10 s TTL shows api-2 dropped
  // its verdict because it was told, not because it expired.
  await waitUntil('api-2 refusing the revoked token', async () => (await onTwo()) === 401, 6_000);

  // The log-in limit (10 a minute per address and account) counts attempts on both processes together.
  const login = (base: string) =>
    fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'guesser@chaos.test', password: 'not the password' }),
    }).then((r) => r.status);
  const attempts: number[] = [];
  for (let i = 0; i < 12; i++) attempts.push(await login(i % 2 === 0 ? api1 : api2));
  expect(attempts).toEqual([...Array<number>(10).fill(401), 429, 429]);
}, 120_000);

/** Registers the fleet through the balancer once, for both kill scenarios. */
async function fleetReady(): Promise<Fleet> {
  if (fleet) return fleet;
  const started = Date.now();
  fleet = await startFleet({
    url: lb.url,
    registrationToken: stack.registrationToken,
    count: HOSTS,
    namePrefix: 'sim',
    tags: [{ key: 'env', value: 'sim' }],
    pollWaitSeconds: 20,
  });
  await stack.waitForInstances('sim-', HOSTS, 180_000);
  await waitUntil('every agent polling', () => fleet!.agents.every((a) => a.polls > 0), 120_000);
  console.log(`scale-out: ${HOSTS} agents registered and polling through HAProxy in ${Date.now() - started} ms`);
  await stack.client.expect([201, 409], 'POST', '/v1/deployment-configs', {
    // Four waves of a quarter of the fleet: the deployment runs long enough to be broken in the middle.
    json: { deploymentConfigName: 'Quarters', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 75 } },
  });
  await stack.createGroup('fleet', 'sim', 'Quarters');
  return fleet;
}

/** Hosts that have finished at least one event of deployment `id`. */
const started = (f: Fleet, id: string) => f.agents.filter((a) => a.ran.some((k) => k.startsWith(`${id} `))).length;

/**
 * The deployment Succeeded; in the API every host's events Succeeded on their first dispatch, in order; on every
 * host each event ran exactly once, in the order the API lists them.
 */
async function expectSucceededInOrderOnce(f: Fleet, id: string) {
  const d = await stack.waitForTerminal(id, 300_000);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
  const targets = await stack.targets(id);
  expect(targets).toHaveLength(HOSTS);
  const wrong: string[] = [];
  const byName = new Map(f.agents.map((a) => [a.name, a]));
  for (const t of targets) {
    if (t.status !== 'Succeeded') wrong.push(`${t.targetId} ${t.status}`);
    const events = t.lifecycleEvents;
    for (const [i, e] of events.entries()) {
      if (e.status !== 'Succeeded' || e.attempt !== 1)
        wrong.push(`${t.targetId} ${e.lifecycleEventName} ${e.status}/${e.attempt}`);
      const before = events[i - 1];
      if (before?.endTime && e.startTime && e.startTime < before.endTime)
        wrong.push(`${t.targetId} ${e.lifecycleEventName} started before ${before.lifecycleEventName} ended`);
    }
    const ran = (byName.get(t.targetId)?.ran ?? []).filter((k) => k.startsWith(`${id} `)).map((k) => k.split(' ')[1]);
    const expected = events.map((e) => e.lifecycleEventName);
    if (JSON.stringify(ran) !== JSON.stringify(expected))
      wrong.push(`${t.targetId} ran ${ran.join(',')} for ${expected.join(',')}`);
  }
  expect(wrong.slice(0, 20), `${wrong.length} problems`).toEqual([]);
}

/** What the fleet was answered since `since`, by status (0: no answer). */
function statusCounts(f: Fleet, since: number) {
  const counts: Record<string, number> = {};
  for (const o of f.observations()) if (o.at >= since) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

it(`kills one of two API processes with -9 during a deployment to ${HOSTS} hosts polling through HAProxy`, async () => {
  const f = await fleetReady();
  const since = Date.now();
  const revisionId = await stack.uploadRevision('fleet', recordingBundle('scale-out-api-kill'));
  const id = await stack.deploy('fleet', 'sim', revisionId);
  const t0 = Date.now();

  await waitUntil(`${HOSTS / 10} hosts started`, () => started(f, id) >= HOSTS / 10, 120_000);
  const before = await lb.heldPolls();
  const resentBefore = await lb.resent();
  await lb.apis[0].stop('SIGKILL');
  expect(lb.apis[0].proc.signalCode).toBe('SIGKILL');
  const killedAt = Date.now();
  const atKill = started(f, id);
  // The deployment was in progress when the process died (read on the survivor).
  expect((await lb.direct(1).expect<DeploymentInfo>(200, 'GET', `/v1/deployments/${id}`)).status).toBe('InProgress');
  await waitUntil('HAProxy taking api-1 out', async () => (await lb.serverStatus(0)).startsWith('DOWN'), 60_000);
  const outAfter = Date.now() - killedAt;
  await sleep(2000);
  await lb.restart(0);
  const backAfter = Date.now() - killedAt;
  // Back in rotation: the balancer gives it polls again.
  await waitUntil('api-1 holding polls again', async () => (await lb.heldPolls())[0] > 0, 90_000);

  await expectSucceededInOrderOnce(f, id);
  const counts = statusCounts(f, since);
  const resent = await lb.resent();
  console.log(
    `scale-out (api kill): HAProxy resent ${resent.retries - resentBefore.retries} requests and redispatched ` +
      `${resent.redispatches - resentBefore.redispatches} after the kill; ` +
      `${HOSTS} hosts, held polls before the kill api-1/api-2 ${before.join('/')}, killed with ` +
      `${atKill} hosts started; HAProxy took api-1 out after ${outAfter} ms, back UP after ${backAfter} ms; ` +
      `deployment took ${Date.now() - t0} ms; statuses the fleet saw: ${JSON.stringify(counts)}`,
  );
  // The kill hit requests in flight (api-1 held polls), which HAProxy sent to api-2 instead of answering 502.
  expect(before[0]).toBeGreaterThan(0);
  expect(resent.redispatches).toBeGreaterThan(resentBefore.redispatches);
  expect(unexplained5xx(f.observations(), (o) => o.status === 503)).toEqual([]);
  expect(stack.client.serverErrors((o) => o.status === 503)).toEqual([]);
  for (const p of lb.apis) expect(p.output()).not.toMatch(/unhandled error/);
}, 600_000);

it(`kills one of two workers with -9 during a deployment to ${HOSTS} hosts polling through HAProxy`, async () => {
  const f = await fleetReady();
  const since = Date.now();
  const revisionId = await stack.uploadRevision('fleet', recordingBundle('scale-out-worker-kill'));
  const id = await stack.deploy('fleet', 'sim', revisionId);
  const t0 = Date.now();

  await waitUntil(`${HOSTS / 10} hosts started`, () => started(f, id) >= HOSTS / 10, 120_000);
  const victim = stack.workers[0]!;
  await victim.stop('SIGKILL');
  expect(victim.proc.signalCode).toBe('SIGKILL');
  const atKill = started(f, id);
  expect((await lb.client.expect<DeploymentInfo>(200, 'GET', `/v1/deployments/${id}`)).status).toBe('InProgress');
  // Restarted a little later, as a restart policy would (the other worker carries on meanwhile).
  await sleep(3000);
  await victim.restart();

  await expectSucceededInOrderOnce(f, id);
  const counts = statusCounts(f, since);
  console.log(
    `scale-out (worker kill): ${HOSTS} hosts, killed with ${atKill} hosts started; deployment took ` +
      `${Date.now() - t0} ms; statuses the fleet saw: ${JSON.stringify(counts)}`,
  );
  expect(unexplained5xx(f.observations(), (o) => o.status === 503)).toEqual([]);
  expect(lb.client.serverErrors((o) => o.status === 503)).toEqual([]);
  for (const p of [...lb.apis, ...stack.workers]) expect(p.output()).not.toMatch(/unhandled error/);
}, 600_000);
