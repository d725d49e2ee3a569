// Benchmark: what notifications cost a deployment. The same AllAtOnce deployment over 1,000 hosts, alternately
// without triggers and with every event type (instance events included: 2,002 outbox rows) sent to a webhook target
// whose receiver is an HTTP server in this process. Reports the wall times, their ratio (issue #16: at most +10 %),
// and how long after the deployment's end the last delivery arrived.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { round } from '../lib/stats';
import { APP, deployAndWait } from '../stack/fixtures';
import type { ScenarioContext } from './context';

const ALL_EVENTS = [
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

export async function notifyScenario(ctx: ScenarioContext, opts: { hosts: number; runs: number }) {
  const { stack } = ctx;
  const received: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(performance.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    await stack.rest.post('/v1/notification-targets', { notificationTargetName: 'bench-hook', kind: 'webhook', url });
    const group = (on: boolean) => ({
      deploymentGroupName: `notify-${on ? 'on' : 'off'}-${opts.hosts}`,
      deploymentConfigName: 'AllAtOnce',
      tagFilters: [{ key: `n${opts.hosts}`, value: 'yes', type: 'KEY_AND_VALUE' }],
      outdatedInstancesStrategy: 'IGNORE',
      triggerConfigurations: on
        ? [{ triggerName: 'all', triggerTargetArn: 'bench-hook', triggerEvents: ALL_EVENTS }]
        : [],
    });
    for (const on of [false, true]) await stack.rest.post(`/v1/applications/${APP}/deployment-groups`, group(on));
    const wall: Record<'off' | 'on', number[]> = { off: [], on: [] };
    const drain: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      for (const on of [false, true]) {
        const before = received.length;
        const d = await deployAndWait(stack.rest, group(on).deploymentGroupName, ctx.revisionId, 300_000);
        if (d.status !== 'Succeeded') throw new Error(`notify bench: deployment ${d.deploymentId} ${d.status}`);
        const wallS = (d.endedAt - d.createSentAt) / 1000;
        wall[on ? 'on' : 'off'].push(wallS);
        if (on) {
          const expected = opts.hosts * 2 + 2;
          const deadline = performance.now() + 300_000;
          while (received.length - before < expected && performance.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
          }
          const got = received.length - before;
          if (got < expected) throw new Error(`notify bench: ${got} of ${expected} deliveries arrived`);
          drain.push((received[received.length - 1]! - d.endedAt) / 1000);
        }
        ctx.log(`notify ${on ? 'with' : 'without'} triggers: ${d.status} in ${wallS.toFixed(2)} s`);
      }
    }
    // Means, and each alternated pair's ratio in the details: with two or three runs a nearest-rank median is just
    // one of them.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const off = mean(wall.off);
    const on = mean(wall.on);
    ctx.results.add({
      key: `notify_${opts.hosts}_wall_ratio`,
      value: round(on / off, 3),
      unit: 'ratio',
      n: opts.runs,
      target: { max: 1.1, source: 'issue #16' },
      description: `AllAtOnce over ${opts.hosts} hosts with every trigger event (instance events included) to a webhook, ÷ the same without triggers (mean wall times)`,
    });
    ctx.results.detail(`notify_${opts.hosts}`, {
      wallSWithout: wall.off.map((s) => round(s, 2)),
      wallSWith: wall.on.map((s) => round(s, 2)),
      pairRatios: wall.on.map((s, i) => round(s / (wall.off[i] ?? NaN), 3)),
      deliveriesPerRun: opts.hosts * 2 + 2,
      lastDeliveryAfterEndS: drain.map((s) => round(s, 2)),
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
