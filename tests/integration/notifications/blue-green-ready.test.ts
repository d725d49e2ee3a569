// DeploymentReady and InstanceReady from a real blue/green deployment: real agents running the sample app behind a
// real HAProxy (tests/support/traffic-fleet.ts), a group that waits in Ready until continued, and a signed webhook
// receiver on loopback. The Ready events arrive while the deployment waits (CodeDeploy fires them when the replacement
// hosts are ready for traffic), before anything is rerouted; success follows the continue.
import { NotificationBody } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../support/notification-receiver';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

let fleet: TrafficFleet;
let receiver: Receiver;
const APP = 'ready-notify';

const story = (deploymentId: string) =>
  receiver
    .accepted()
    .map((x) => NotificationBody.parse(x.json))
    .filter((b) => b.deployment?.deploymentId === deploymentId)
    .map((b) => (b.instance ? `${b.type} ${b.instance.instanceName}` : b.type));

async function until<T>(what: string, check: () => T | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  fleet = await startTrafficFleet({
    hosts: ['blue-1', 'green-1'].map((name) => ({
      name,
      tags: [
        { key: 'env', value: 'web' },
        { key: 'pool', value: name.split('-')[0] ?? '' },
      ],
    })),
    stackEnv: { SECRET_KEY: 'notification-tests-secret-key-0123456789', NOTIFY_SWEEP_INTERVAL_SECONDS: '0.2' },
  });
  receiver = await startReceiver();
  await fleet.api('POST', '/v1/notification-targets', {
    notificationTargetName: 'ready-hook',
    kind: 'webhook',
    url: receiver.url,
  });
}, 240_000);

afterAll(async () => {
  await fleet?.close();
  await receiver?.close();
}, 90_000);

describe('blue/green Ready notifications', () => {
  it('DeploymentReady and InstanceReady arrive while the deployment waits in Ready; success follows the continue', async () => {
    await fleet.blueGreenGroup(APP, 'web', {
      deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
      terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
    });
    await fleet.api('PATCH', `/v1/applications/${APP}/deployment-groups/web`, {
      triggerConfigurations: [
        {
          triggerName: 'ready-hook',
          triggerTargetArn: 'ready-hook',
          triggerEvents: ['DeploymentStart', 'DeploymentReady', 'DeploymentSuccess', 'InstanceReady'],
        },
      ],
    });
    const id = await fleet.deploy({
      applicationName: APP,
      deploymentGroupName: 'web',
      revisionId: await fleet.revision(APP, 'v1'),
      targetInstances: { tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }] },
    });
    await fleet.waitFor(id, (d) => d.status === 'Ready', 120_000);
    // The deployment waits for "continue": the Ready events have come already, and nothing else.
    await until('DeploymentReady', () => story(id).includes('DeploymentReady'));
    expect(story(id)).toEqual(['DeploymentStart', 'InstanceReady blue-1', 'DeploymentReady']);
    await fleet.api('POST', `/v1/deployments/${id}/continue`, { deploymentWaitType: 'READY_WAIT' });
    const d = await fleet.finished(id, 120_000);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    await until('DeploymentSuccess', () => story(id).includes('DeploymentSuccess'));
    expect(story(id)).toEqual(['DeploymentStart', 'InstanceReady blue-1', 'DeploymentReady', 'DeploymentSuccess']);
    // Signed as documented: every delivery carries the timestamp and the v1 signature.
    for (const x of receiver.accepted()) {
      expect(x.headers['x-drover-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(x.headers['x-drover-timestamp']).toMatch(/^\d+$/);
    }
  }, 300_000);
});
