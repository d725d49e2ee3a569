// Agent upgrades with real agents: three drover-agent processes run an older build (each from its own copy, which the
// upgrade replaces), the API offers a newer one from its agent dist directory. Asked while the hosts run a lifecycle
// event, the upgrade is refused; asked after, every agent downloads the build, checks it, replaces itself, restarts
// and polls with the new version, and the upgraded agents deploy. A build whose checksum does not match is refused by
// the agent, which says why and goes on running.
import { isTerminalDeploymentStatus } from '@drover/contracts';
import type {
  AgentUpgradeInfo,
  CreateAgentUpgradeResponse,
  DeploymentInfo,
  InstancePage,
  TargetInfo,
} from '@drover/contracts';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killProcessesWithEnv, REPO_ROOT, spawnAgent, type AgentProcess } from '../../support/processes';
import { startStack, type TestStack } from '../../support/stack';
import { stackJson } from '../../support/stack-json';

const OLD = '0.1.0-before-upgrade';
const NEW = '0.1.0-after-upgrade';
const HOSTS = ['upg-1', 'upg-2', 'upg-3'];
/** Every agent (and the build it restarts into) carries this, so the teardown finds them however they restarted. */
const MARKER = 'DROVER_UPGRADE_TEST';
const marker = randomUUID();

let stack: TestStack;
let work: string;
let dist: string;
const agents: AgentProcess[] = [];
const binOf = new Map<string, string>();

/** Builds the agent bundle as shipped, reporting `version`, into `dir` (with its .sha256 and version.json). */
function buildAgent(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'drover-agent.mjs');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'apps/agent/build.mjs')], {
    env: { ...process.env, DROVER_AGENT_OUTFILE: out, DROVER_AGENT_VERSION: version },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the agent failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

/** The agent processes of this test now running (the old ones' children, once upgraded). */
function agentPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const env = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        return env.includes(`\0${MARKER}=${marker}\0`) && cmd.includes('drover-agent.mjs');
      } catch {
        return false; // gone, or not ours to read
      }
    });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const api = stackJson(() => stack);

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(v)}\n` +
          agents.map((a) => `--- ${a.name}\n${a.output().slice(-3000)}`).join('\n'),
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const versions = async () =>
  Object.fromEntries(
    (await api<InstancePage>('GET', '/v1/instances?namePrefix=upg-')).items.map((i) => [
      i.instanceName,
      i.agentVersion,
    ]),
  );

/** A tgz whose AfterInstall hook sleeps, so a test can act while the hosts run a lifecycle event. */
function bundle(sleepSeconds: number): Buffer {
  const root = mkdtempSync(path.join(work, 'bundle-'));
  mkdirSync(path.join(root, 'scripts'));
  writeFileSync(
    path.join(root, 'appspec.yml'),
    [
      'version: 0.0',
      'os: linux',
      'hooks:',
      '  AfterInstall:',
      '    - location: scripts/after-install.sh',
      '      timeout: 60',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'scripts/after-install.sh'), `#!/bin/sh\nsleep ${sleepSeconds}\necho installed\n`);
  chmodSync(path.join(root, 'scripts/after-install.sh'), 0o755);
  const out = path.join(root, '..', `${path.basename(root)}.tgz`);
  execFileSync('tar', ['-czf', out, '-C', root, '.']);
  return readFileSync(out);
}

async function deploy(sleepSeconds: number): Promise<string> {
  const res = await fetch(`${stack.url}/v1/applications/upgrades/revisions?bundleType=tgz`, {
    method: 'POST',
    headers: { ...stack.as('deployer'), 'content-type': 'application/octet-stream' },
    body: bundle(sleepSeconds),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const { revisionId } = JSON.parse(text) as { revisionId: string };
  const d = await api<DeploymentInfo>('POST', '/v1/deployments', {
    applicationName: 'upgrades',
    deploymentGroupName: 'fleet',
    revisionId,
  });
  return d.deploymentId;
}

const deployment = (id: string) => api<DeploymentInfo>('GET', `/v1/deployments/${id}`);
const targets = async (id: string) =>
  (await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${id}/targets`)).items;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'drover-upgrade-'));
  const oldBuild = buildAgent(path.join(work, 'old'), OLD);
  dist = path.join(work, 'dist');
  buildAgent(dist, NEW);
  stack = await startStack({ AGENT_DIST_DIR: dist });
  await stack.seedApp({ app: 'upgrades', group: 'fleet', config: 'AllAtOnce' });
  for (const name of HOSTS) {
    const base = path.join(work, name);
    const bin = path.join(base, 'bin', 'drover-agent.mjs');
    mkdirSync(path.dirname(bin), { recursive: true });
    copyFileSync(oldBuild, bin);
    binOf.set(name, bin);
    agents.push(
      spawnAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        tags: [{ key: 'env', value: 'fleet' }],
        baseDir: base,
        bundle: bin,
        settings: { pollWaitSeconds: 5 },
        env: { [MARKER]: marker },
      }),
    );
  }
  await until('three registered agents on the old build', versions, (v) => HOSTS.every((h) => v[h] === OLD));
}, 180_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  // The upgraded agents were started by the old ones, detached: only the marker finds them.
  killProcessesWithEnv(MARKER, marker);
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('agent upgrades on three real agents', () => {
  it('refuses hosts in the middle of a lifecycle event', async () => {
    const id = await deploy(4);
    const busy = await until(
      'a host running AfterInstall',
      () => targets(id),
      (ts) => ts.some((t) => t.lifecycleEvents.some((e) => e.status === 'InProgress')),
      60_000,
    );
    const running = busy.filter((t) => t.lifecycleEvents.some((e) => e.status === 'InProgress')).map((t) => t.targetId);
    const res = await fetch(`${stack.url}/v1/agent-upgrades`, {
      method: 'POST',
      headers: { ...stack.as('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ instanceNames: HOSTS }),
    });
    const body = (await res.json()) as {
      error: { code: string; message: string; details?: { instanceNames: string[] } };
    };
    expect(res.status, JSON.stringify(body)).toBe(409);
    expect(body.error.code).toBe('InstancesBusy');
    expect(body.error.message).toContain('running a lifecycle event');
    for (const name of running) expect(body.error.details?.instanceNames).toContain(name);

    const done = await until(
      'the deployment to end',
      () => deployment(id),
      (d) => isTerminalDeploymentStatus(d.status),
    );
    expect(done.status).toBe('Succeeded');
    expect(await versions()).toEqual(Object.fromEntries(HOSTS.map((h) => [h, OLD])));
  });

  it('upgrades every outdated agent: each replaces itself, restarts and reports the new version', async () => {
    const pidsBefore = agents.map((a) => a.proc.pid);
    const created = await api<CreateAgentUpgradeResponse>('POST', '/v1/agent-upgrades', { allOutdated: true });
    expect(created.targetVersion).toBe(NEW);
    expect(created.alreadyCurrent).toEqual([]);
    expect(created.targets.map((t) => [t.instanceName, t.fromVersion])).toEqual(HOSTS.map((h) => [h, OLD]));

    const ended = await until(
      'the upgrade to end',
      () => api<AgentUpgradeInfo>('GET', `/v1/agent-upgrades/${created.upgradeId}`),
      (u) => u.status !== 'InProgress',
    );
    expect(ended.status, JSON.stringify(ended.targets)).toBe('Succeeded');
    expect(ended.counts).toEqual({ pending: 0, sent: 0, succeeded: 3, failed: 0 });
    for (const t of ended.targets) expect(t.attempts).toBe(1);
    expect(await versions()).toEqual(Object.fromEntries(HOSTS.map((h) => [h, NEW])));

    // Each host's file is now the server's build, the old one kept beside it; the processes that were told are gone.
    for (const name of HOSTS) {
      const bin = binOf.get(name)!;
      expect(sha256(bin)).toBe(sha256(path.join(dist, 'drover-agent.mjs')));
      expect(existsSync(`${bin}.previous`)).toBe(true);
    }
    for (const a of agents) await a.exited();
    expect(agents.map((a) => a.proc.exitCode)).toEqual([0, 0, 0]);
    const now = agentPids();
    expect(now).toHaveLength(3);
    for (const pid of now) expect(pidsBefore).not.toContain(pid);

    // Nothing is left to upgrade, and the new agents deploy.
    const again = await fetch(`${stack.url}/v1/agent-upgrades`, {
      method: 'POST',
      headers: { ...stack.as('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ allOutdated: true }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('NothingToUpgrade');
    const id = await deploy(0);
    const done = await until(
      'a deployment by the upgraded agents',
      () => deployment(id),
      (d) => isTerminalDeploymentStatus(d.status),
    );
    expect(done.status, JSON.stringify(done.errorInformation)).toBe('Succeeded');

    const audit = await stack.ctx.db.prisma.auditEvent.findMany({ where: { action: 'agentUpgrade.create' } });
    expect(audit.map((a) => a.resourceId)).toEqual([created.upgradeId]);
  });

  it('a build that does not match its checksum is refused by the agent, which says why and keeps running', async () => {
    // The server now offers a build whose published sha256 is another file's.
    const tampered = path.join(work, 'tampered');
    const file = buildAgent(tampered, '0.1.0-tampered');
    writeFileSync(path.join(dist, 'drover-agent.mjs'), readFileSync(file));
    writeFileSync(path.join(dist, 'version.json'), JSON.stringify({ version: '0.1.0-tampered' }));
    const before = sha256(binOf.get('upg-1')!);

    const created = await api<CreateAgentUpgradeResponse>('POST', '/v1/agent-upgrades', { instanceNames: ['upg-1'] });
    const ended = await until(
      'the upgrade to end',
      () => api<AgentUpgradeInfo>('GET', `/v1/agent-upgrades/${created.upgradeId}`),
      (u) => u.status !== 'InProgress',
    );
    expect(ended.status).toBe('Failed');
    expect(ended.targets[0]?.message).toMatch(
      /^the agent reported: downloading drover-agent\.mjs failed: .*sha256 mismatch/,
    );
    expect(sha256(binOf.get('upg-1')!)).toBe(before);
    expect((await versions())['upg-1']).toBe(NEW);
    const list = await api<{ items: AgentUpgradeInfo[] }>('GET', '/v1/agent-upgrades');
    expect(list.items.map((u) => [u.upgradeId, u.status])).toEqual([
      [created.upgradeId, 'Failed'],
      [expect.any(String), 'Succeeded'],
    ]);
  });
});
