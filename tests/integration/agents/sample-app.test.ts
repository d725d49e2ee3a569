// The sample app end to end: the real API and worker, three bundled drover-agent processes with their own roots, and
// bundles uploaded over HTTP. Each host's ApplicationStart launches the app's HTTP server on that host's own port and
// ValidateService checks it; a broken revision fails validation and is rolled back automatically, and the old
// revision keeps serving everywhere. Also: a hook whose background child holds stdout times out cleanly.
import { isTerminalDeploymentStatus } from '@drover/contracts';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, type ZipEntry } from '@drover/agent/test-support';
import type { DeploymentInfo, RevisionInfo, TargetInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { stackJson } from '../../support/stack-json';
import { killProcessesUnder, REPO_ROOT, spawnAgent, type AgentProcess } from '../../support/processes';

const SAMPLE_APP = path.join(REPO_ROOT, 'tests/fixtures/bundles/sample-app');
const APP = 'sample';
const HOSTS = ['web-1', 'web-2', 'web-3'];

let stack: TestStack;
let work: string;
const agents: AgentProcess[] = [];
/** Per host: the port its sample-app server listens on and the directory holding the server's pid file. */
const hosts = new Map<string, { port: number; stateDir: string }>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

const api = stackJson(() => stack);

/** Every file under `root` as a deflated zip entry that keeps its Unix mode (scripts stay executable). */
function zipEntries(root: string, dir = root): ZipEntry[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return zipEntries(root, full);
    const name = path.relative(root, full);
    return [{ name, data: readFileSync(full), unixMode: statSync(full).mode, deflate: true }];
  });
}

/** Copies the sample app, lets `edit` change the copy, and packs it: tgz with the system's tar, zip in-process. */
function buildRevision(kind: 'tgz' | 'zip', edit: (root: string) => void): Buffer {
  const dir = mkdtempSync(path.join(work, 'bundle-'));
  const root = path.join(dir, 'app');
  cpSync(SAMPLE_APP, root, { recursive: true });
  edit(root);
  if (kind === 'zip') return makeZip(zipEntries(root));
  const out = path.join(dir, 'app.tgz');
  execFileSync('tar', ['-czf', out, '-C', root, '.']);
  return readFileSync(out);
}

const page = (label: string) =>
  `<!doctype html>\n<title>sample-app</title>\n<h1>Deployed by Drover</h1>\n<p>${label}</p>\n`;

async function upload(bundle: Buffer, kind: 'tgz' | 'zip', description: string): Promise<string> {
  const res = await fetch(
    `${stack.url}/v1/applications/${APP}/revisions?bundleType=${kind}&description=${encodeURIComponent(description)}`,
    {
      method: 'POST',
      headers: { ...stack.as('deployer'), 'content-type': 'application/octet-stream' },
      body: bundle,
      signal: AbortSignal.timeout(10_000),
    },
  );
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as RevisionInfo).revisionId;
}

async function deploy(group: string, revisionId: string): Promise<string> {
  const d = await api<DeploymentInfo>('POST', '/v1/deployments', {
    applicationName: APP,
    deploymentGroupName: group,
    revisionId,
  });
  return d.deploymentId;
}

async function finished(id: string, ms = 90_000): Promise<DeploymentInfo> {
  const until = Date.now() + ms;
  for (;;) {
    const d = await api<DeploymentInfo>('GET', `/v1/deployments/${id}`);
    if (isTerminalDeploymentStatus(d.status)) return d;
    if (Date.now() > until) {
      throw new Error(
        `${id} still ${d.status} after ${ms} ms\n${agents.map((a) => a.output().slice(-2000)).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function targets(id: string): Promise<TargetInfo[]> {
  return (await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${id}/targets`)).items;
}

/** What each host's sample-app server answers right now. */
async function served(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, { port }] of hosts) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => ({
      status: 0,
      text: async () => err.message,
    }));
    out[name] = `${res.status} ${await res.text()}`;
  }
  return out;
}

/** Running and not a zombie (an orphan may wait a moment for init to reap it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function stopServers(): void {
  for (const { stateDir } of hosts.values()) {
    try {
      const pid = Number(readFileSync(path.join(stateDir, 'server.pid'), 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or already gone
    }
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'drover-sample-app-e2e-'));
  stack = await startStack();
  for (const name of HOSTS) {
    const base = path.join(work, name);
    const stateDir = path.join(base, 'state');
    mkdirSync(stateDir, { recursive: true });
    hosts.set(name, { port: await freePort(), stateDir });
    agents.push(
      spawnAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        baseDir: base,
        tags: [
          { key: 'env', value: 'web' },
          { key: 'host', value: name },
        ],
        settings: { pollWaitSeconds: 2, outputGraceMs: 500, hookKillGraceMs: 1000 },
        env: {
          SAMPLE_APP_PORT: String(hosts.get(name)!.port),
          SAMPLE_APP_STATE_DIR: stateDir,
          SAMPLE_APP_VALIDATE_SECONDS: '30', // generous for a loaded machine; a crashed server fails at once
          NODE: process.execPath,
        },
      }),
    );
  }
  await api('POST', '/v1/applications', { applicationName: APP });
  await api('POST', `/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: 'web',
    deploymentConfigName: 'HalfAtATime',
    tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
  });
  // Every agent registered and polling before the first deployment.
  const until = Date.now() + 30_000;
  for (;;) {
    const { items } = await api<{ items: { instanceName: string; online: boolean }[] }>('GET', '/v1/instances');
    if (HOSTS.every((h) => items.some((i) => i.instanceName === h && i.online))) break;
    if (Date.now() > until) throw new Error(`agents not online: ${agents.map((a) => a.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 90_000);

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop('SIGTERM', 5000))));
  // The servers the hooks started outlive their hooks by design: by pid file first, then anything still running
  // with a cwd under this test's directories (the servers and any hook leftovers run in revision directories).
  stopServers();
  if (work) killProcessesUnder(work);
  await bounded(stack?.close() ?? Promise.resolve());
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('sample app on three real agents', () => {
  let goodRevision: string;

  it('deploys HalfAtATime: every host serves revision 1, checked by ValidateService', async () => {
    goodRevision = await upload(
      buildRevision('tgz', (root) => writeFileSync(path.join(root, 'site/index.html'), page('revision 1'))),
      'tgz',
      'revision 1',
    );
    const id = await deploy('web', goodRevision);
    const d = await finished(id);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(d.deploymentOverview.Succeeded).toBe(3);
    // HalfAtATime on three hosts: more than one batch, none taking more hosts than the healthy minimum allows.
    expect(d.batchCount).toBeGreaterThan(1);
    const ts = await targets(id);
    for (let b = 0; b < d.batchCount; b++) {
      expect(ts.filter((t) => t.batch === b).length).toBeLessThanOrEqual(3 - d.minimumHealthyHosts);
    }
    for (const t of ts) {
      const validate = t.lifecycleEvents.find((e) => e.lifecycleEventName === 'ValidateService');
      expect(validate?.status, t.targetId).toBe('Succeeded');
    }
    expect(await served()).toEqual(Object.fromEntries(HOSTS.map((h) => [h, `200 ${page('revision 1')}`])));
  }, 120_000);

  it('fails a revision whose server does not come up, rolls back automatically, and revision 1 keeps serving', async () => {
    const broken = await upload(
      buildRevision('zip', (root) => {
        writeFileSync(path.join(root, 'site/index.html'), page('revision 2'));
        // A start-up bug: the server exits at once, so ValidateService finds nothing listening.
        writeFileSync(
          path.join(root, 'scripts/server.mjs'),
          "console.error('sample-app: broken on purpose, exiting');\nprocess.exit(1);\n",
        );
      }),
      'zip',
      'revision 2 (broken)',
    );
    const id = await deploy('web', broken);
    const failed = await finished(id);
    expect(failed.status).toBe('Failed');
    const failedTargets = (await targets(id)).filter((t) => t.status === 'Failed');
    expect(failedTargets.length).toBeGreaterThan(0);
    for (const t of failedTargets) {
      const validate = t.lifecycleEvents.find((e) => e.lifecycleEventName === 'ValidateService');
      expect(validate?.status, t.targetId).toBe('Failed');
      expect(validate?.diagnostics).toMatchObject({ errorCode: 'ScriptFailed', scriptName: 'scripts/validate.sh' });
      expect(validate?.diagnostics?.logTail).toContain('has exited');
      expect(validate?.diagnostics?.logTail).toContain('broken on purpose');
    }

    const rollbackId = failed.rollbackInfo.rollbackDeploymentId;
    expect(rollbackId, JSON.stringify(failed.rollbackInfo)).toBeTruthy();
    const rollback = await finished(rollbackId!);
    expect(rollback.status, JSON.stringify(rollback.errorInformation)).toBe('Succeeded');
    expect(rollback.creator).toBe('rollback');
    expect(rollback.revision.revisionId).toBe(goodRevision);
    expect(rollback.rollbackInfo.rollbackTriggeringDeploymentId).toBe(id);
    expect(await served()).toEqual(Object.fromEntries(HOSTS.map((h) => [h, `200 ${page('revision 1')}`])));
  }, 180_000);

  it('times out a hook whose background child holds stdout, and kills that child', async () => {
    await api('POST', `/v1/applications/${APP}/deployment-groups`, {
      deploymentGroupName: 'hang',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [{ key: 'host', value: 'web-1', type: 'KEY_AND_VALUE' }],
    });
    const childPid = path.join(hosts.get('web-1')!.stateDir, 'hang-child.pid');
    const bundle = buildRevision('tgz', (root) => {
      writeFileSync(
        path.join(root, 'appspec.yml'),
        'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/hang.sh\n      timeout: 2\n',
      );
      // The classic CodeDeploy hang: a background child inherits the hook's stdout and the script never finishes.
      writeFileSync(
        path.join(root, 'scripts/hang.sh'),
        `#!/bin/sh\nsleep 300 &\necho $! > '${childPid}'\necho "started a child that keeps stdout open"\nwait\n`,
        { mode: 0o755 },
      );
    });
    const id = await deploy('hang', await upload(bundle, 'tgz', 'hangs'));
    const d = await finished(id);
    expect(d.status).toBe('Failed');
    const [t] = await targets(id);
    const start = t?.lifecycleEvents.find((e) => e.lifecycleEventName === 'ApplicationStart');
    expect(start?.status).toBe('Failed');
    expect(start?.diagnostics).toMatchObject({ errorCode: 'ScriptTimedOut', scriptName: 'scripts/hang.sh' });
    expect(start?.diagnostics?.message).toContain('failed to complete in 2 seconds');
    expect(start?.diagnostics?.logTail).toContain('started a child that keeps stdout open');
    // The whole process group went with the script, the background child included.
    const pid = Number(readFileSync(childPid, 'utf8').trim());
    const until = Date.now() + 5000;
    while (running(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(running(pid)).toBe(false);
    // The other group's server on that host was not touched.
    expect((await served())['web-1']).toBe(`200 ${page('revision 1')}`);
  }, 60_000);
});
