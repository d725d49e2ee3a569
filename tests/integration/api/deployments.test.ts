// /v1/deployments over HTTP on the real stack (API on loopback, worker, PostgreSQL, Redis) with agents speaking the
// agent protocol: create, plan preview, list with filters and cursors, targets, lifecycle event logs (range reads and
// follow), the live event stream, stop with and without rollback, roll back, continue, and bad input on each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOG_NEXT_SEQ_HEADER,
  type DeploymentInfo,
  type PlanResponse,
  type TargetInfo,
  isTerminalDeploymentStatus,
} from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { GOOD_APPSPEC, tgz } from './support/bundles';
import { bind, errorOf, type Res } from './support/http';
import { startManualAgent, type ManualAgent } from './support/manual-agent';
import { openStream, parseSse } from './support/streams';

let stack: TestStack;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
const agents: ProtocolAgent[] = [];
let manual: ManualAgent;
const revs: Record<string, string> = {};

async function upload(app: string, label: string): Promise<string> {
  const res = await stack.app.inject({
    method: 'POST',
    url: `/v1/applications/${app}/revisions?bundleType=tgz&description=${label}`,
    headers: { ...stack.as('deployer'), 'content-type': 'application/octet-stream' },
    payload: tgz({ 'appspec.yml': GOOD_APPSPEC, 'scripts/start.sh': `#!/bin/sh\necho ${label}\n` }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { revisionId: string }).revisionId;
}

async function group(name: string, config: string) {
  const res = await deployer.post('/v1/applications/shop/deployment-groups', {
    deploymentGroupName: name,
    deploymentConfigName: config,
    tagFilters: [{ key: 'env', value: name, type: 'KEY_AND_VALUE' }],
  });
  expect(res.status, res.raw).toBe(201);
}

async function deploy(groupName: string, revisionId: string, extra: Record<string, unknown> = {}) {
  const res = await deployer.post('/v1/deployments', {
    applicationName: 'shop',
    deploymentGroupName: groupName,
    revisionId,
    ...extra,
  });
  expect(res.status, res.raw).toBe(201);
  return res.body as unknown as DeploymentInfo;
}

const terminal = (d: DeploymentInfo) => isTerminalDeploymentStatus(d.status);
async function waitFor(id: string, done: (d: DeploymentInfo) => boolean, ms = 30_000): Promise<DeploymentInfo> {
  const until = Date.now() + ms;
  for (;;) {
    const d = (await viewer.get(`/v1/deployments/${id}`)).body as unknown as DeploymentInfo;
    if (done(d)) return d;
    if (Date.now() > until) throw new Error(`timed out waiting for ${id}: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const fieldOf = (res: Res) => ({ status: res.status, field: res.body.error?.message?.split(':')[0] });

beforeAll(async () => {
  stack = await startStack();
  deployer = bind(stack, 'deployer');
  viewer = bind(stack, 'viewer');
  expect((await deployer.post('/v1/applications', { applicationName: 'shop' })).status).toBe(201);
  expect((await deployer.post('/v1/applications', { applicationName: 'other' })).status).toBe(201);
  await group('web', 'AllAtOnce');
  await group('manual', 'OneAtATime');
  await group('empty', 'OneAtATime');
  for (let i = 1; i <= 3; i++) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name: `web-${i}`,
        tags: [{ key: 'env', value: 'web' }],
      }),
    );
  }
  manual = await startManualAgent({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'manual-1',
    tags: [{ key: 'env', value: 'manual' }],
  });
  for (const label of ['v1', 'v2', 'v3']) revs[label] = await upload('shop', label);
  revs.foreign = await upload('other', 'foreign');
});
afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
}, 60_000);

describe('plan preview', () => {
  it('shows the batches and the minimum-healthy arithmetic without starting anything', async () => {
    const res = await viewer.post('/v1/deployments/plan', {
      applicationName: 'shop',
      deploymentGroupName: 'web',
      revisionId: revs.v1,
      deploymentConfigName: 'OneAtATime',
    });
    expect(res.status, res.raw).toBe(200);
    const plan = res.body as unknown as PlanResponse;
    expect(plan).toMatchObject({
      ok: true,
      hostCount: 3,
      deploymentConfig: { name: 'OneAtATime', minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 } },
      batchSize: 1,
      errorCode: null,
      offlineHosts: [],
    });
    expect(plan.batches.map((b) => b.length)).toEqual([1, 1, 1]);
    expect(
      plan.batches
        .flat()
        .map((h) => h.instanceName)
        .sort(),
    ).toEqual(['web-1', 'web-2', 'web-3']);
    expect(plan.explanation).not.toBe('');
    // The group's own config (AllAtOnce) when none is given: one batch.
    const own = await viewer.post('/v1/deployments/plan', { applicationName: 'shop', deploymentGroupName: 'web' });
    expect((own.body as unknown as PlanResponse).batches.map((b) => b.length)).toEqual([3]);
    expect((await viewer.get('/v1/deployments')).body.items).toEqual([]);
  });

  it('reports an impossible plan instead of failing', async () => {
    const res = await viewer.post('/v1/deployments/plan', { applicationName: 'shop', deploymentGroupName: 'empty' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, hostCount: 0, batches: [] });
    expect(res.body.errorCode).toBe('NO_INSTANCES');
  });

  it('names unknown resources and bad fields', async () => {
    const base = { applicationName: 'shop', deploymentGroupName: 'web' };
    expect(errorOf(await viewer.post('/v1/deployments/plan', { ...base, deploymentConfigName: 'Nope' }))).toMatchObject(
      { status: 404, code: 'DeploymentConfigDoesNotExist' },
    );
    expect(errorOf(await viewer.post('/v1/deployments/plan', { ...base, deploymentGroupName: 'ghost' }))).toMatchObject(
      { status: 404, code: 'DeploymentGroupDoesNotExist' },
    );
    expect(fieldOf(await viewer.post('/v1/deployments/plan', { ...base, revisionId: 'abc' }))).toEqual({
      status: 400,
      field: 'body.revisionId',
    });
    expect(fieldOf(await viewer.post('/v1/deployments/plan', { applicationName: 'shop' }))).toEqual({
      status: 400,
      field: 'body.deploymentGroupName',
    });
  });
});

describe('create, read, targets and logs', () => {
  let first: DeploymentInfo;

  it('deploys to every host and reports the overview', async () => {
    const created = await deploy('web', revs.v1!, { description: 'first' });
    expect(created).toMatchObject({
      applicationName: 'shop',
      deploymentGroupName: 'web',
      revision: { revisionId: revs.v1, bundleType: 'tgz', description: 'v1' },
      description: 'first',
      creator: 'user',
      deploymentConfig: { name: 'AllAtOnce' },
    });
    expect(created.deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
    first = await waitFor(created.deploymentId, terminal);
    expect(first.status).toBe('Succeeded');
    expect(first.deploymentOverview).toEqual({
      Pending: 0,
      InProgress: 0,
      Succeeded: 3,
      Failed: 0,
      Skipped: 0,
      Ready: 0,
    });
    expect(first.completeTime).not.toBeNull();
  });

  it('lists targets with their lifecycle events, filtered and paginated', async () => {
    const id = first.deploymentId;
    const all = await viewer.get(`/v1/deployments/${id}/targets`);
    const items = all.body.items as TargetInfo[];
    expect(items.map((t) => t.targetId).sort()).toEqual(['web-1', 'web-2', 'web-3']);
    for (const t of items) {
      expect(t.status).toBe('Succeeded');
      expect(t.lifecycleEvents.map((e) => e.lifecycleEventName)).toContain('ApplicationStart');
      expect(t.lifecycleEvents.every((e) => e.status === 'Succeeded')).toBe(true);
    }
    expect(((await viewer.get(`/v1/deployments/${id}/targets?status=Failed`)).body.items as unknown[]).length).toBe(0);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await viewer.get(`/v1/deployments/${id}/targets?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(res.body.items as TargetInfo[]).map((t) => t.targetId));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(['web-1', 'web-2', 'web-3']);
    const one = await viewer.get(`/v1/deployments/${id}/targets/web-2`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ targetId: 'web-2', status: 'Succeeded', batch: 0 });
  });

  it('reads a lifecycle event log whole and from a sequence number', async () => {
    const url = `/v1/deployments/${first.deploymentId}/targets/web-1/events/ApplicationStart/log`;
    const whole = await viewer.get(url);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toContain('text/plain');
    expect(whole.raw).toBe('[stdout] ApplicationStart on web-1\n');
    expect(whole.headers[LOG_NEXT_SEQ_HEADER]).toBe('1');
    const rest = await viewer.get(`${url}?fromSeq=1`);
    expect(rest.raw).toBe('');
    expect(rest.headers[LOG_NEXT_SEQ_HEADER]).toBe('1');
    // Following a finished event answers at once with what there is.
    expect((await viewer.get(`${url}?follow=true`)).raw).toBe('[stdout] ApplicationStart on web-1\n');
  });

  it('lists deployments newest first, with filters and cursor pagination', async () => {
    const second = await waitFor((await deploy('web', revs.v2!)).deploymentId, terminal);
    expect(second.status).toBe('Succeeded');
    expect(second.previousRevisionId).toBe(revs.v1);
    const ids = (res: Res) => (res.body.items as DeploymentInfo[]).map((d) => d.deploymentId);
    expect(ids(await viewer.get('/v1/deployments?applicationName=shop&deploymentGroupName=web'))).toEqual([
      second.deploymentId,
      first.deploymentId,
    ]);
    expect(ids(await viewer.get('/v1/deployments?status=Succeeded,Failed'))).toEqual([
      second.deploymentId,
      first.deploymentId,
    ]);
    expect(ids(await viewer.get('/v1/deployments?status=InProgress'))).toEqual([]);
    expect(ids(await viewer.get('/v1/deployments?applicationName=other'))).toEqual([]);
    const after = encodeURIComponent(second.createTime);
    expect(ids(await viewer.get(`/v1/deployments?createdAfter=${after}`))).toEqual([second.deploymentId]);
    expect(ids(await viewer.get(`/v1/deployments?createdBefore=${encodeURIComponent(first.createTime)}`))).toEqual([
      first.deploymentId,
    ]);
    const page1 = await viewer.get('/v1/deployments?limit=1');
    expect(ids(page1)).toEqual([second.deploymentId]);
    const page2 = await viewer.get(`/v1/deployments?limit=1&cursor=${String(page1.body.nextCursor)}`);
    expect(ids(page2)).toEqual([first.deploymentId]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('refuses what cannot be deployed, naming the resource or field', async () => {
    const base = { applicationName: 'shop', deploymentGroupName: 'web', revisionId: revs.v1 };
    for (const [body, status, code] of [
      [{ ...base, applicationName: 'ghost' }, 404, 'ApplicationDoesNotExist'],
      [{ ...base, deploymentGroupName: 'ghost' }, 404, 'DeploymentGroupDoesNotExist'],
      [{ ...base, revisionId: revs.foreign }, 404, 'RevisionDoesNotExist'],
      [{ ...base, deploymentConfigName: 'Nope' }, 404, 'DeploymentConfigDoesNotExist'],
    ] as const) {
      expect(errorOf(await deployer.post('/v1/deployments', body)), JSON.stringify(body)).toMatchObject({
        status,
        code,
      });
    }
    for (const [body, field] of [
      [{ ...base, revisionId: 'not-a-uuid' }, 'body.revisionId'],
      [{ ...base, fileExistsBehavior: 'CLOBBER' }, 'body.fileExistsBehavior'],
      [{ ...base, description: 'x'.repeat(300) }, 'body.description'],
      [{ ...base, autoRollbackConfiguration: { enabled: 'yes' } }, 'body.autoRollbackConfiguration.enabled'],
      [{ deploymentGroupName: 'web', revisionId: revs.v1 }, 'body.applicationName'],
    ] as const) {
      expect(fieldOf(await deployer.post('/v1/deployments', body)), field).toEqual({ status: 400, field });
    }
    expect(errorOf(await viewer.post('/v1/deployments', base))).toMatchObject({ status: 403, code: 'Forbidden' });
  });

  it('answers bad reads with 400 naming the field, and unknown ones with 404', async () => {
    const id = first.deploymentId;
    for (const [url, field] of [
      ['/v1/deployments/nope', 'params.deploymentId'],
      ['/v1/deployments?status=Bogus', 'querystring.status'],
      ['/v1/deployments?limit=0', 'querystring.limit'],
      ['/v1/deployments?createdAfter=yesterday', 'querystring.createdAfter'],
      ['/v1/deployments?cursor=bm9wZQ', 'querystring.cursor'],
      ['/v1/deployments?deploymentGroupName=web', 'querystring.applicationName'],
      [`/v1/deployments/${id}/targets?status=Sleeping`, 'querystring.status'],
      [`/v1/deployments/${id}/targets?cursor=MWU5OTk`, 'querystring.cursor'],
      [`/v1/deployments/${id}/targets?limit=99999`, 'querystring.limit'],
      [`/v1/deployments/${id}/targets/web-1/events/Deploy/log`, 'params.eventName'],
      [`/v1/deployments/${id}/targets/web-1/events/Install/log?fromSeq=-1`, 'querystring.fromSeq'],
      [`/v1/deployments/${id}/targets/web-1/events/Install/log?follow=maybe`, 'querystring.follow'],
    ] as const) {
      expect(fieldOf(await viewer.get(url)), url).toEqual({ status: 400, field });
    }
    for (const [url, code] of [
      ['/v1/deployments/d-ZZZZZZZZZ', 'DeploymentDoesNotExist'],
      ['/v1/deployments/d-ZZZZZZZZZ/targets', 'DeploymentDoesNotExist'],
      [`/v1/deployments/${id}/targets/ghost`, 'DeploymentTargetDoesNotExist'],
      [`/v1/deployments/${id}/targets/ghost/events/Install/log`, 'LifecycleEventDoesNotExist'],
      ['/v1/deployments/d-ZZZZZZZZZ/events', 'DeploymentDoesNotExist'],
    ] as const) {
      expect(errorOf(await viewer.get(url)), url).toMatchObject({ status: 404, code });
    }
  });
});

describe('live output', () => {
  it('follows a running event log and streams the deployment as server-sent events', async () => {
    const d = await deploy('manual', revs.v1!);
    const auth = stack.as('viewer');
    const events = await openStream(`${stack.url}/v1/deployments/${d.deploymentId}/events`, auth);
    expect(events.res.headers.get('content-type')).toContain('text/event-stream');
    await events.waitFor((t) => t.includes('event: deployment'));

    const cmd = await manual.take();
    await manual.ack(cmd);
    expect(await manual.log(cmd, 0, 'one\n')).toMatchObject({ accepted: true });
    const logUrl = `${stack.url}/v1/deployments/${d.deploymentId}/targets/manual-1/events/${cmd.lifecycleEvent}/log`;
    const follow = await openStream(`${logUrl}?follow=true`, auth);
    await follow.waitFor((t) => t === 'one\n');
    await manual.log(cmd, 1, 'two\n');
    await manual.log(cmd, 1, 'two (a repeated seq is ignored)\n');
    await follow.waitFor((t) => t === 'one\ntwo\n');
    const range = await fetch(`${logUrl}?fromSeq=1`, { headers: auth });
    expect(await range.text()).toBe('two\n');
    expect(range.headers.get(LOG_NEXT_SEQ_HEADER)).toBe('2');
    await manual.complete(cmd);
    await follow.ended(); // the follow ends with the event
    expect(follow.text).toBe('one\ntwo\n');

    await manual.drain(d.deploymentId);
    expect((await waitFor(d.deploymentId, terminal)).status).toBe('Succeeded');
    await events.ended(); // the stream ends after the deployment does
    const received = parseSse(events.text);
    expect(received[0]).toMatchObject({ event: 'deployment', data: { deploymentId: d.deploymentId } });
    expect(received.filter((e) => e.event === 'log').map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { targetId: 'manual-1', eventName: cmd.lifecycleEvent, seq: 0, data: 'one\n' },
        { targetId: 'manual-1', eventName: cmd.lifecycleEvent, seq: 1, data: 'two\n' },
      ]),
    );
    expect(received.some((e) => e.event === 'target' && (e.data as TargetInfo).targetId === 'manual-1')).toBe(true);
    expect(received.at(-1)).toMatchObject({ event: 'deployment', data: { status: 'Succeeded' } });
  });
});

describe('events with nothing to run', () => {
  it('are completed without an ack or log chunks: the next command comes back, the tail stands in for the log', async () => {
    const d = await deploy('manual', revs.v1!);
    const stop = await manual.take();
    expect(stop.lifecycleEvent).toBe('ApplicationStop');
    const next = await manual.completeNoop(stop, '[agent] ApplicationStop started (attempt 1, nothing to run)\n');
    expect(next).toMatchObject({ deploymentId: d.deploymentId, lifecycleEvent: 'DownloadBundle' });
    // A replayed completion answers the recorded result and offers the same next command again.
    expect(await manual.completeNoop(stop, 'again')).toEqual(next);
    await manual.drain(d.deploymentId);
    expect((await waitFor(d.deploymentId, terminal)).status).toBe('Succeeded');
    const target = (await viewer.get(`/v1/deployments/${d.deploymentId}/targets/manual-1`)).body as TargetInfo;
    const event = target.lifecycleEvents.find((e) => e.lifecycleEventName === 'ApplicationStop');
    expect(event).toMatchObject({ status: 'Succeeded', diagnostics: { message: 'nothing to run' } });
    expect(event?.diagnostics?.logTail).toBe('[agent] ApplicationStop started (attempt 1, nothing to run)\n');
    const log = await viewer.get(`/v1/deployments/${d.deploymentId}/targets/manual-1/events/ApplicationStop/log`);
    expect(log.raw).toBe('');
  });
});

describe('stop, roll back, continue', () => {
  it('stops without rollback: the running event finishes, nothing new starts', async () => {
    const d = await deploy('manual', revs.v2!);
    const cmd = await manual.take();
    await manual.ack(cmd);
    // Continue is for deployments waiting in Ready; an in-place deployment never is.
    expect(errorOf(await deployer.post(`/v1/deployments/${d.deploymentId}/continue`))).toMatchObject({
      status: 409,
      code: 'DeploymentIsNotInReadyState',
    });
    expect(errorOf(await deployer.post(`/v1/deployments/${d.deploymentId}/rollback`))).toMatchObject({
      status: 409,
      code: 'DeploymentNotCompleted',
    });
    const stop = await deployer.post(`/v1/deployments/${d.deploymentId}/stop`);
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ status: 'Pending' });
    expect((await viewer.get(`/v1/deployments/${d.deploymentId}`)).body).toMatchObject({ stopRequested: true });
    expect(await manual.complete(cmd)).toBeNull();
    const stopped = await waitFor(d.deploymentId, terminal);
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } });
    expect(stopped.rollbackInfo.rollbackDeploymentId).toBeNull();
    expect(errorOf(await deployer.post(`/v1/deployments/${d.deploymentId}/stop`))).toMatchObject({
      status: 409,
      code: 'DeploymentAlreadyCompleted',
    });
    expect(errorOf(await deployer.post(`/v1/deployments/${d.deploymentId}/continue`))).toMatchObject({
      status: 409,
      code: 'DeploymentAlreadyCompleted',
    });
  });

  it('stops with rollback: the last good revision is redeployed to the same hosts', async () => {
    const d = await deploy('manual', revs.v3!);
    const cmd = await manual.take();
    await manual.ack(cmd);
    const stop = await deployer.post(`/v1/deployments/${d.deploymentId}/stop`, { autoRollbackEnabled: true });
    expect(stop.status).toBe(200);
    await manual.complete(cmd);
    const stopped = await waitFor(d.deploymentId, (x) => terminal(x) && !!x.rollbackInfo.rollbackDeploymentId);
    expect(stopped.status).toBe('Stopped');
    const rollbackId = stopped.rollbackInfo.rollbackDeploymentId!;
    await manual.drain(rollbackId);
    const rollback = await waitFor(rollbackId, terminal);
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'rollback',
      revision: { revisionId: revs.v1 },
      rollbackInfo: { rollbackTriggeringDeploymentId: d.deploymentId },
    });
  });

  it('rolls back a finished deployment on request, once', async () => {
    const [latest] = (await viewer.get('/v1/deployments?applicationName=shop&deploymentGroupName=web&limit=1')).body
      .items as DeploymentInfo[];
    const res = await deployer.post(`/v1/deployments/${latest!.deploymentId}/rollback`);
    expect(res.status, res.raw).toBe(201);
    const rollback = res.body as unknown as DeploymentInfo;
    expect(rollback).toMatchObject({ creator: 'rollback', revision: { revisionId: revs.v1 } });
    expect((await waitFor(rollback.deploymentId, terminal)).status).toBe('Succeeded');
    expect((await viewer.get(`/v1/deployments/${latest!.deploymentId}`)).body).toMatchObject({
      rollbackInfo: { rollbackDeploymentId: rollback.deploymentId },
    });
    expect(errorOf(await deployer.post(`/v1/deployments/${latest!.deploymentId}/rollback`))).toMatchObject({
      status: 409,
      code: 'DeploymentAlreadyRolledBack',
    });
  });

  it('fails an impossible deployment at once, and has no earlier revision to roll it back to', async () => {
    const d = await deploy('empty', revs.v1!);
    const failed = await waitFor(d.deploymentId, terminal);
    expect(failed.status).toBe('Failed');
    expect(failed.errorInformation?.code).toBe('NO_INSTANCES');
    expect(errorOf(await deployer.post(`/v1/deployments/${d.deploymentId}/rollback`))).toMatchObject({
      status: 409,
      code: 'NoRevisionToRollBackTo',
    });
  });

  it('names bad control input', async () => {
    expect(fieldOf(await deployer.post('/v1/deployments/d-ZZZZZZZZZ/stop', { autoRollbackEnabled: 'yes' }))).toEqual({
      status: 400,
      field: 'body.autoRollbackEnabled',
    });
    expect(fieldOf(await deployer.post('/v1/deployments/d-ZZZZZZZZZ/continue', { deploymentWaitType: 'X' }))).toEqual({
      status: 400,
      field: 'body.deploymentWaitType',
    });
    for (const action of ['stop', 'rollback', 'continue']) {
      expect(errorOf(await deployer.post(`/v1/deployments/d-ZZZZZZZZZ/${action}`)), action).toMatchObject({
        status: 404,
        code: 'DeploymentDoesNotExist',
      });
      expect(errorOf(await viewer.post(`/v1/deployments/d-ZZZZZZZZZ/${action}`)), action).toMatchObject({
        status: 403,
      });
    }
  });
});
