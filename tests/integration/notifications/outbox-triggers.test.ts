// The outbox triggers on their own, every transition written directly in SQL (including the blue/green Ready states
// the engine tests do not reach here): which status change records which event type, only for the types a group's
// triggers select, set-based for many hosts in one statement, nothing for groups without triggers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { bind, insertDeployment, insertInstance } from '../api/support/http';

let api: TestApi;
const ALL = [
  'DeploymentStart',
  'DeploymentSuccess',
  'DeploymentFailure',
  'DeploymentStop',
  'DeploymentRollback',
  'DeploymentReady',
  'InstanceStart',
  'InstanceSuccess',
  'InstanceFailure',
  'InstanceReady',
];

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY: 'outbox-trigger-tests-secret-key-0123456789' });
  const admin = bind(api, 'admin');
  expect((await admin.post('/v1/applications', { applicationName: 'app' })).status).toBe(201);
  expect(
    (
      await admin.post('/v1/notification-targets', {
        notificationTargetName: 'hook',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/',
      })
    ).status,
  ).toBe(201);
  const group = (name: string, events: string[] | null) =>
    admin.post('/v1/applications/app/deployment-groups', {
      deploymentGroupName: name,
      ...(events
        ? { triggerConfigurations: [{ triggerName: 't', triggerTargetArn: 'hook', triggerEvents: events }] }
        : {}),
    });
  expect((await group('all', ALL)).status).toBe(201);
  expect((await group('failures', ['DeploymentFailure', 'InstanceFailure'])).status).toBe(201);
  expect((await group('none', null)).status).toBe(201);
});
afterAll(async () => {
  await api.close();
});

const sql = (text: string, values: unknown[] = []) => api.ctx.db.pool.query(text, values);

/** The outbox of one deployment, in order: type, or "type host". */
async function outbox(deploymentId: string): Promise<string[]> {
  const { rows } = await sql(
    `SELECT e.type, e.payload->'instance'->>'instanceName' AS host, count(d.id)::int AS deliveries
       FROM notification_events e LEFT JOIN notification_deliveries d ON d."eventId" = e.id
      WHERE e."deploymentId" = $1 GROUP BY e.id ORDER BY e.seq`,
    [deploymentId],
  );
  for (const r of rows as { deliveries: number }[]) expect(r.deliveries).toBe(1);
  return (rows as { type: string; host: string | null }[]).map((r) => (r.host ? `${r.type} ${r.host}` : r.type));
}

async function withTargets(group: string, hosts: string[]) {
  const d = await insertDeployment(api, 'app', group, 'Created');
  for (const [i, h] of hosts.entries()) {
    const inst = await insertInstance(api, `${group}-${h}-${Math.random().toString(36).slice(2, 6)}`);
    await sql(
      `INSERT INTO deployment_targets (id, "deploymentId", "instanceId", "instanceName", batch, position, "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, 0, $4, now())`,
      [d.id, inst.id, h, i],
    );
  }
  return d.id;
}
const setDeployment = (id: string, status: string) =>
  sql(`UPDATE deployments SET status = $2 WHERE id = $1`, [id, status]);
const setHosts = (id: string, hosts: string[], status: string) =>
  sql(`UPDATE deployment_targets SET status = $3 WHERE "deploymentId" = $1 AND "instanceName" = ANY($2)`, [
    id,
    hosts,
    status,
  ]);

describe('outbox triggers', () => {
  it('record each transition as CodeDeploy names it, blue/green Ready included', async () => {
    const id = await withTargets('all', ['a', 'b', 'c']);
    await setDeployment(id, 'InProgress');
    await setHosts(id, ['a', 'b'], 'InProgress'); // one statement, two hosts
    await setHosts(id, ['a'], 'Ready');
    await setDeployment(id, 'Ready');
    await setDeployment(id, 'InProgress'); // continuing after Ready is no new start
    await setHosts(id, ['a'], 'InProgress'); // nor is a Ready host's reroute
    await setHosts(id, ['a'], 'Succeeded');
    await setHosts(id, ['b'], 'Failed');
    await setHosts(id, ['c'], 'Skipped'); // a host never started: nothing
    await sql(`UPDATE deployment_targets SET "updatedAt" = now() WHERE "deploymentId" = $1`, [id]); // no change
    await setDeployment(id, 'Failed');
    await sql(`UPDATE deployments SET "rollbackDeploymentId" = 'd-ROLLBACK1' WHERE id = $1`, [id]);
    expect(await outbox(id)).toEqual([
      'DeploymentStart',
      'InstanceStart a',
      'InstanceStart b',
      'InstanceReady a',
      'DeploymentReady',
      'InstanceSuccess a',
      'InstanceFailure b',
      'DeploymentFailure',
      'DeploymentRollback',
    ]);
    const stop = await withTargets('all', []);
    await setDeployment(stop, 'InProgress');
    await setDeployment(stop, 'Stopped');
    const ok = await withTargets('all', []);
    await setDeployment(ok, 'Queued');
    await setDeployment(ok, 'InProgress');
    await setDeployment(ok, 'Succeeded');
    expect(await outbox(stop)).toEqual(['DeploymentStart', 'DeploymentStop']);
    expect(await outbox(ok)).toEqual(['DeploymentStart', 'DeploymentSuccess']);
  });

  it('record only the event types the group selects, and nothing for a group without triggers', async () => {
    const f = await withTargets('failures', ['a', 'b']);
    const n = await withTargets('none', ['a', 'b']);
    for (const id of [f, n]) {
      await setDeployment(id, 'InProgress');
      await setHosts(id, ['a', 'b'], 'InProgress');
      await setHosts(id, ['a'], 'Succeeded');
      await setHosts(id, ['b'], 'Failed');
      await setDeployment(id, 'Failed');
    }
    expect(await outbox(f)).toEqual(['InstanceFailure b', 'DeploymentFailure']);
    expect(await outbox(n)).toEqual([]);
  });

  it('a deployment created Failed (refused at planning) records DeploymentFailure', async () => {
    const d = await insertDeployment(api, 'app', 'all', 'Failed');
    expect(await outbox(d.id)).toEqual(['DeploymentFailure']);
  });

  it('many hosts in one statement: one event each, set-based', async () => {
    const hosts = Array.from({ length: 200 }, (_, i) => `h${String(i).padStart(3, '0')}`);
    const id = await withTargets('all', hosts);
    await setHosts(id, hosts, 'InProgress');
    await setHosts(id, hosts, 'Succeeded');
    const got = await outbox(id);
    expect(got).toHaveLength(400);
    expect(got.slice(0, 200)).toEqual(hosts.map((h) => `InstanceStart ${h}`));
    expect(got.slice(200)).toEqual(hosts.map((h) => `InstanceSuccess ${h}`));
  });
});
