// The real `drover` binary driving blue/green deployments through a real HAProxy with real agents: the replacement
// hosts named on the command line (--target-instances, --target-instances-tag), the phases and where traffic is in
// the progress, `--until-ready` returning at Ready with how to continue, `deployment continue` for both waits, and
// `deployment wait` following a deployment that waits in Ready and in the termination wait until it is continued.
import { DeploymentInfo, TargetPage } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';
import { cleanupCliTemp, cliBundle, eventually, runCli, startCli, tempDir, type CliOptions } from './support';

const APP = 'bg';
const GROUP = 'web';
let fleet: TrafficFleet;
let home: string;

const env = () => ({ DROVER_URL: fleet.stack.url, DROVER_TOKEN: fleet.stack.tokens.deployer });
const cli = (args: string[], opts: CliOptions = {}) =>
  runCli(args, home, { timeoutMs: 150_000, ...opts, env: { ...env(), ...opts.env } });
const createdId = (stderr: string) => /Created deployment (d-\w+)/.exec(stderr)?.[1] ?? '';

beforeAll(async () => {
  cliBundle();
  home = tempDir('home');
  fleet = await startTrafficFleet({
    hosts: [
      { name: 'blue-1', tags: [{ key: 'pool', value: 'blue' }] },
      { name: 'green-1', tags: [{ key: 'pool', value: 'green' }] },
    ].map((h) => ({ ...h, tags: [...h.tags, { key: 'env', value: 'web' }] })),
  });
  await fleet.blueGreenGroup(APP, GROUP);
}, 240_000);

afterAll(async () => {
  await fleet?.close();
  cleanupCliTemp();
}, 90_000);

describe('drover and blue/green deployments', () => {
  it('deploy --target-instances names the replacement hosts; --wait shows the phases and where traffic ended', async () => {
    const revision = await fleet.revision(APP, 'v1');
    const r = await cli([
      'deploy',
      '--app',
      APP,
      '--group',
      GROUP,
      '--revision',
      revision,
      '--target-instances',
      'blue-1',
      '--wait',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const id = createdId(r.stderr);
    // Without a terminal the progress is plain lines on stderr: the phases, with where traffic is.
    expect(r.stderr).toContain(`${id}: revision ${revision.slice(0, 8)} to ${APP}/${GROUP} (blue/green, AllAtOnce, `);
    expect(r.stderr).toContain('batch 1 (replacement): blue-1');
    expect(r.stderr).toContain('blue/green: installing the replacement hosts (blue-1); traffic on the original hosts');
    // The reroute of one host takes about a second: the stream may show it or go straight to the end, so its lines
    // are the unit tests' business; here, that no wave of the reroute is announced as a batch.
    expect(r.stderr).not.toMatch(/batch [23]/);
    expect(r.stdout).toMatch(new RegExp(`✓ ${id} Succeeded: 2/2 hosts in .*; traffic on the replacement hosts`));
    const targets = await cli(['deployment', 'targets', id, '--label', 'Green', '-o', 'json']);
    expect(TargetPage.parse(JSON.parse(targets.stdout)).items.map((t) => t.targetId)).toEqual(['blue-1']);
    const table = await cli(['deployment', 'targets', id]);
    expect(table.stdout).toMatch(/blue-1\s+Green \(replacement\)/);
    expect(table.stdout).toMatch(/green-1\s+Blue \(original\)/);
  }, 180_000);

  it('--until-ready returns at Ready with how to continue; continue moves traffic, then ends the termination wait', async () => {
    await fleet.api('PATCH', `/v1/applications/${APP}/deployment-groups/${GROUP}`, {
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
      },
    });
    const revision = await fleet.revision(APP, 'v2');
    const args = [
      'deploy',
      '--app',
      APP,
      '--group',
      GROUP,
      '--revision',
      revision,
      '--target-instances-tag',
      'pool=green',
    ];
    const r = await cli([...args, '--wait', '--until-ready']);
    expect(r.code, r.stderr).toBe(0);
    const id = createdId(r.stderr);
    const readyLine = `Ready: the replacement hosts are installed; traffic is still on the original hosts. Continue with: drover deployment continue ${id}`;
    expect(r.stdout).toContain(`◆ ${id} ${readyLine}`);
    expect(r.stdout).toMatch(
      /the Ready wait ends at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in (?:5\dm \d\ds|1h 00m)\); then the deployment stops/,
    );
    expect(r.stderr).toContain(readyLine); // the live progress said it too

    // Waiting again returns at once: it is Ready; with --output json, stdout is the deployment.
    const again = await cli(['deployment', 'wait', id, '--until-ready', '-o', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(DeploymentInfo.parse(JSON.parse(again.stdout))).toMatchObject({
      status: 'Ready',
      blueGreen: { phase: 'ready', trafficOn: 'original', readyAction: 'STOP_DEPLOYMENT' },
    });
    const get = await cli(['deployment', 'get', id, '--no-targets']);
    expect(get.stdout).toContain(readyLine);
    expect(get.stdout).toMatch(/Traffic\s+on the original hosts/);

    // The wrong wait: refused, with the right command as the hint.
    const wrong = await cli(['deployment', 'continue', id, '--wait-type', 'termination']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('(DeploymentIsNotInReadyState, HTTP 409)');
    expect(wrong.stderr).toContain(
      `hint: it waits for the other one: drover deployment continue ${id} --wait-type ready`,
    );

    // Someone follows it without --until-ready: Ready is not the end.
    const follower = startCli(['deployment', 'wait', id], home, { env: env(), timeoutMs: 150_000 });
    await eventually(async () => (follower.stderr().includes(readyLine) ? true : undefined), 'the follower at Ready');
    const cont = await cli(['deployment', 'continue', id]);
    expect(cont.code, cont.stderr).toBe(0);
    expect(cont.stdout).toContain(`✓ ${id}: continued from Ready; traffic moves to the replacement hosts now`);

    const waiting = await fleet.waitFor(id, (d) => d.blueGreen?.phase === 'termination', 120_000);
    expect(waiting.blueGreen?.trafficOn).toBe('replacement');
    const inWait = await cli(['deployment', 'get', id, '--no-targets']);
    expect(inWait.stdout).toContain(
      `Termination wait: traffic is on the replacement hosts; the original hosts are out of traffic. End the wait now with: drover deployment continue ${id} --wait-type termination`,
    );
    const end = await cli(['deployment', 'continue', id, '--wait-type', 'termination', '--wait']);
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toContain(`${id}: ended the termination wait`);
    expect(end.stdout).toMatch(new RegExp(`✓ ${id} Succeeded: .*; traffic on the replacement hosts`));

    const followed = await follower.result();
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toContain(readyLine);
    expect(followed.stderr).toContain('Termination wait: traffic is on the replacement hosts');
    expect(followed.stdout).toMatch(new RegExp(`✓ ${id} Succeeded`));
  }, 240_000);
});
