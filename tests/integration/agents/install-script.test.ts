// Host onboarding as a user does it: `curl -fsSL <server>/install.sh | sh -s -- --token … --tag …` against the real
// API on loopback, into a temporary root (--root, --no-systemd: nothing touches /etc or systemctl). The installed
// self-contained agent then runs with no Node on its PATH, answers `status`, and takes a real deployment. Also: a
// tampered download is refused and changes nothing, re-running keeps the credential, --uninstall [--purge].
import { isTerminalDeploymentStatus, type DeploymentInfo, type RevisionInfo } from '@drover/contracts';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { REPO_ROOT, spawnManaged, type ManagedProcess } from '../../support/processes';

const PLATFORM = `linux-${arch()}`;
const EXE = `drover-agent-${PLATFORM}`;

let stack: TestStack;
let work: string;
let dist: string;
let root: string;
/** A PATH with a shell and a few tools but no node: what a host without Node gives the agent. */
let nodelessPath: string;
let agent: ManagedProcess | null = null;
/** A registration token made as an admin makes one: its tags are the host's (#18: a host can add none unless allowed). */
let token: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'drover-install-'));
  dist = path.join(work, 'dist');
  root = path.join(work, 'root');
  mkdirSync(dist);
  // The builds the server offers: the .mjs bundle (built here) and the self-contained executable (build-sea keeps an
  // up-to-date one, so this costs ~5 s once, then nothing), copied so the tamper test below changes only the copy.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'apps/agent/build.mjs')], {
    env: { ...process.env, DROVER_AGENT_OUTFILE: path.join(dist, 'drover-agent.mjs') },
    stdio: 'pipe',
  });
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'apps/agent/build-sea.mjs')], { stdio: 'pipe' });
  for (const f of [EXE, `${EXE}.sha256`]) copyFileSync(path.join(REPO_ROOT, 'apps/agent/dist', f), path.join(dist, f));

  nodelessPath = path.join(work, 'bin');
  mkdirSync(nodelessPath);
  for (const tool of ['sh', 'cat', 'echo', 'ls', 'env']) symlinkSync(`/bin/${tool}`, path.join(nodelessPath, tool));

  stack = await startStack({ AGENT_DIST_DIR: dist });
  await stack.seedApp({ app: 'onboard', group: 'onboard' });
  token = (
    await api<{ token: string }>('POST', '/v1/registration-tokens', {
      name: 'onboarding test',
      tags: [
        { key: 'env', value: 'onboard' },
        { key: 'role', value: 'web server' },
      ],
      expiresInHours: 1,
    })
  ).token;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await stack?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs a program without blocking this process (the API under test answers from it). */
function run(file: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; out: string }>((resolve) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, out: `${stdout}${stderr}` });
    });
  });
}

/** The install line exactly as the console shows it (without sudo), run through sh; extra arguments after `--`. */
function install(args: string) {
  const line = `curl -fsSL ${stack.url}/install.sh | sh -s -- --root ${root} --no-systemd ${args}`;
  return run('sh', ['-c', line], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
}

const mode = (p: string) => statSync(p).mode & 0o777;
const bin = () => path.join(root, 'usr/local/bin/drover-agent');
const conf = () => path.join(root, 'etc/drover/agent.yml');
const credential = () => path.join(root, 'var/lib/drover-agent/credential.json');

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.url}${url}`, {
    method,
    headers: { ...stack.as('admin'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
  return JSON.parse(text) as T;
}

describe('install.sh', () => {
  it('is generated for this server, POSIX sh and shellcheck-clean', async () => {
    const res = await fetch(`${stack.url}/install.sh`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/x-shellscript');
    const script = await res.text();
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(`SERVER='${stack.url}'`);
    expect(script).not.toContain('@@SERVER_URL@@');
    const file = path.join(work, 'install.sh');
    writeFileSync(file, script);
    const check = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    expect(check.error, 'shellcheck must be installed (apt-get install shellcheck; .ci/run does it)').toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    // dash is Debian's /bin/sh: it parses the script and prints the help.
    const help = spawnSync('dash', [file, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--token');
  });

  it('lists the builds with their checksums and serves both', async () => {
    const list = (await (await fetch(`${stack.url}/agent/download`)).json()) as {
      installCommand: string;
      version: string | null;
      artefacts: Array<{ file: string; sha256: string; size: number; url: string }>;
    };
    expect(list.installCommand).toBe(`curl -fsSL ${stack.url}/install.sh | sudo sh -s --`);
    expect(list.version).toBe('0.1.0');
    const exe = list.artefacts.find((a) => a.file === EXE);
    expect(exe?.size).toBe(statSync(path.join(dist, EXE)).size);
    expect(list.artefacts.map((a) => a.file)).toContain('drover-agent.mjs');
    const sum = await (await fetch(`${stack.url}/agent/download/drover-agent.mjs.sha256`)).text();
    const bytes = Buffer.from(await (await fetch(`${stack.url}/agent/download/drover-agent.mjs`)).arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(sum).toBe(`${createHash('sha256').update(bytes).digest('hex')}  drover-agent.mjs\n`);
    const missing = await fetch(`${stack.url}/agent/download/drover-agent-linux-s390x`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('AgentArtefactNotFound');
  });

  it('refuses a download whose checksum does not match, and changes nothing', async () => {
    const file = path.join(dist, EXE);
    const original = path.join(work, 'original-exe');
    copyFileSync(file, original);
    appendFileSync(file, 'tampered');
    try {
      const r = await install(`--token ${token} --name web-1 --tag env=onboard`);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(new RegExp(`checksum mismatch for ${EXE}: the server says [0-9a-f]{64}, the download is`));
      expect(r.out).toContain('nothing was changed');
      expect(existsSync(root)).toBe(false);
    } finally {
      copyFileSync(original, file);
    }
  });

  it('installs, registers, runs without Node, deploys, re-installs keeping the credential, uninstalls', async () => {
    const first = await install(`--token ${token} --name web-1 --tag env=onboard --tag 'role=web server'`);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/sha256 [0-9a-f]{64} verified/);
    expect(first.out).toContain(`registered as web-1`);
    expect(first.out).toContain(`installed drover-agent 0.1.0 (${EXE}) as ${bin()}`);
    expect(first.out).toContain('systemd skipped');
    expect(mode(bin())).toBe(0o755);
    expect(mode(conf())).toBe(0o600);
    expect(mode(credential())).toBe(0o600);
    const config = readFileSync(conf(), 'utf8');
    expect(config).toContain(`serverUrl: ${stack.url}`);
    expect(config).toContain('instanceName: web-1');
    expect(config).toContain('role: web server');
    expect(config).not.toContain(token); // spent: the credential replaces it
    const unit = path.join(root, 'etc/systemd/system/drover-agent.service');
    expect(readFileSync(unit, 'utf8')).toContain(`ExecStart=${bin()} --config ${conf()}`);
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    const registeredCredential = readFileSync(credential(), 'utf8');

    // The installed executable, with no node anywhere on its PATH.
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: nodelessPath } }).status).not.toBe(0);
    const version = spawnSync(bin(), ['version'], { env: { PATH: nodelessPath }, encoding: 'utf8' });
    expect(version.stdout).toBe('0.1.0\n');
    agent = spawnManaged('web-1', bin(), ['--config', conf()], { PATH: nodelessPath, DROVER_POLL_WAIT_SECONDS: '2' });

    // A real deployment to it: a bundle uploaded over HTTP, its hook run by the installed agent.
    const app = path.join(work, 'app');
    mkdirSync(path.join(app, 'scripts'), { recursive: true });
    writeFileSync(
      path.join(app, 'appspec.yml'),
      'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n',
    );
    writeFileSync(path.join(app, 'scripts/start.sh'), '#!/bin/sh\necho "started by the installed agent"\n', {
      mode: 0o755,
    });
    const tgz = path.join(work, 'app.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', app, '.']);
    const upload = await fetch(`${stack.url}/v1/applications/onboard/revisions?bundleType=tgz`, {
      method: 'POST',
      headers: { ...stack.as('admin'), 'content-type': 'application/octet-stream' },
      body: readFileSync(tgz),
    });
    expect(upload.status).toBeLessThan(300);
    const revision = (await upload.json()) as RevisionInfo;
    const created = await api<DeploymentInfo>('POST', '/v1/deployments', {
      applicationName: 'onboard',
      deploymentGroupName: 'onboard',
      revisionId: revision.revisionId,
    });
    let d = created;
    const deadline = Date.now() + 45_000;
    while (!isTerminalDeploymentStatus(d.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      d = await api<DeploymentInfo>('GET', `/v1/deployments/${created.deploymentId}`);
    }
    expect(d.status, agent.output().slice(-3000)).toBe('Succeeded');

    // status: registered as what, server reachable, last poll, current command.
    const status = await run(bin(), ['status', '--config', conf()], { PATH: nodelessPath });
    expect(status.code, status.out).toBe(0);
    expect(status.stdout).toMatch(/^registered: +web-1 \(/m);
    expect(status.stdout).toMatch(new RegExp(`^server: +reachable: ${stack.url}/healthz answered 200`, 'm'));
    expect(status.stdout).toMatch(/^agent: +running, pid \d+, version 0\.1\.0/m);
    expect(status.stdout).toMatch(/^last poll: +\d{4}-\d\d-\d\dT.*\(\d+s ago\)$/m);
    expect(status.stdout).toMatch(/^running: +nothing$/m);
    const json = JSON.parse(
      (await run(bin(), ['status', '--json', '--config', conf()], { PATH: nodelessPath })).stdout,
    ) as { agent: { pid: number; lastPollAt: string } };
    expect(json.agent.pid).toBe(agent.proc.pid);
    expect(Date.now() - Date.parse(json.agent.lastPollAt)).toBeLessThan(30_000);

    // Re-running the installer upgrades in place: no token needed, same credential.
    const again = await install('');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('already registered as web-1');
    expect(again.out).toContain(`reinstalled drover-agent 0.1.0 (${EXE})`);
    expect(readFileSync(credential(), 'utf8')).toBe(registeredCredential);
    expect(mode(conf())).toBe(0o600);
    await agent.stop();
    agent = null;
    const stopped = await run(bin(), ['status', '--config', conf()], { PATH: nodelessPath });
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/^agent: +not running \(last ran 0\.1\.0 from /m);

    // Uninstall keeps the config and credential; --purge removes them.
    const removed = await install('--uninstall');
    expect(removed.code, removed.out).toBe(0);
    expect(existsSync(bin())).toBe(false);
    expect(existsSync(unit)).toBe(false);
    expect(readFileSync(credential(), 'utf8')).toBe(registeredCredential);
    expect(removed.out).toContain('kept');
    const purged = await install('--uninstall --purge');
    expect(purged.code, purged.out).toBe(0);
    expect(existsSync(conf())).toBe(false);
    expect(existsSync(credential())).toBe(false);
  }, 120_000);
});
