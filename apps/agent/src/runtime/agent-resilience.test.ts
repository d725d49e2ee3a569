// The agent under trouble: control-plane outages, crashes, revoked credentials, cancellations, bad servers.
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listProcesses } from '../hooks/process-tree';
import { Harness, until } from '../../test-support/agent-harness';
import { AGENT_API_PREFIX } from '@drover/contracts';

let h: Harness;
const leftovers: number[] = [];
beforeEach(async () => {
  h = new Harness();
  await h.setup();
});
afterEach(async () => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await h.teardown();
});

const isAlive = (pid: number) => listProcesses().some((p) => p.pid === pid && p.state !== 'Z');

async function hookRevision(id: string, script: string) {
  return h.revision(
    id,
    {
      'appspec.yml':
        'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 60\n',
      'start.sh': `#!/bin/sh\n${script}\n`,
    },
    ['start.sh'],
  );
}

const POLL = `${AGENT_API_PREFIX}/poll`;

/** Gaps in ms between consecutive answers the fake API gave to `path` with `status`, in the order they were given. */
function gaps(path: string, status: number): number[] {
  const at = h.server.requests.filter((q) => q.path === path && q.status === status).map((q) => q.at);
  return at.slice(1).map((t, i) => t - at[i]!);
}

/** Resolves once the agent has polled again after this moment: it has moved on from whatever came before. */
async function nextPoll(what: string) {
  const polls = h.server.count(POLL);
  await until(() => h.server.count(POLL) > polls, 10_000, `a poll after ${what}`);
}

/**
 * The hooks below would run for 60 s if nothing ended them; finishing well inside that shows they were ended, with
 * a bound wide enough that a loaded machine cannot make it fail.
 */
const ENDED_EARLY_MS = 20_000;

async function journalFiles(): Promise<Array<{ result?: { status: string } }>> {
  const dir = join(h.config.rootDir, 'journal');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  // A file can vanish between readdir and read (the agent removes it once delivered): skip it.
  const read = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8').catch(() => null)));
  return read.filter((t): t is string => t !== null).map((t) => JSON.parse(t));
}

describe('agent resilience', () => {
  it('keeps a result through a control-plane outage and delivers it once the API is back', async () => {
    const rev = await hookRevision('rev-1', 'touch <tmp>/started; sleep 1; echo end');
    h.start();
    const [cmd] = h.server.deploy(h.spec('d-OUTAGE001', rev, null), ['ApplicationStart']);
    const r = h.server.record(cmd?.commandId ?? '');
    await until(
      async () => (await readFile(join(h.tmp, 'started')).catch(() => null)) !== null,
      10_000,
      'hook running',
    );
    h.server.outage = 503;
    await until(
      async () => (await journalFiles()).some((e) => e.result?.status === 'Succeeded'),
      10_000,
      'result in the journal',
    );
    // The agent tried to deliver and was refused: only then does "nothing delivered yet" say anything.
    await until(
      () => h.server.requests.some((q) => q.path.endsWith(`/${cmd?.commandId}/complete`) && q.status === 503),
      10_000,
      'a refused delivery',
    );
    expect(r.completions).toEqual([]);
    h.server.outage = null;
    await until(() => r.completions.length > 0, 10_000, 'delivery after the outage');
    expect(r.completions).toHaveLength(1);
    expect(r.completions[0]?.status).toBe('Succeeded');
    await until(async () => (await journalFiles()).length === 0, 5000, 'journal cleared');
    const local = await readFile(join(h.config.logDir, 'deployments', 'd-OUTAGE001', 'ApplicationStart.log'), 'utf8');
    expect(local).toContain('[stdout]end'); // spilled locally while streaming was impossible
  }, 30_000);

  it('reports an event that was running when the agent was killed as failed right after the next start', async () => {
    const rev = await hookRevision('rev-1', `sleep 60 & echo $! > ${'<tmp>'}/hook.pid; wait`);
    // First agent: the real CLI in a child process, configured through a YAML file, then SIGKILLed mid-hook.
    const configFile = join(h.tmp, 'agent.yml');
    const c = h.config;
    await writeFile(
      configFile,
      [
        `serverUrl: ${c.serverUrl}`,
        `registrationToken: ${c.registrationToken}`,
        `instanceName: ${c.instanceName}`,
        `rootDir: ${c.rootDir}`,
        `logDir: ${c.logDir}`,
        'pollWaitSeconds: 1',
        'logToStderr: false',
      ].join('\n'),
    );
    const repo = resolve(import.meta.dirname, '../../../..');
    // One process (node with tsx's loader, not the tsx launcher and its child), so the SIGKILL below ends the agent
    // itself and nothing outlives the test.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repo, 'apps/agent/src/main.ts'), '--config', configFile],
      {
        cwd: repo,
        stdio: 'ignore',
        env: { PATH: process.env.PATH },
      },
    );
    const [cmd] = h.server.deploy(h.spec('d-CRASH0001', rev, null), ['ApplicationStart']);
    const r = h.server.record(cmd?.commandId ?? '');
    await until(
      async () => (await readFile(join(h.tmp, 'hook.pid'), 'utf8').catch(() => '')) !== '',
      30_000,
      'hook running',
    );
    leftovers.push(Number(await readFile(join(h.tmp, 'hook.pid'), 'utf8')));
    child.kill('SIGKILL');
    await new Promise((r2) => child.once('exit', r2));
    expect(r.completions).toEqual([]);

    const seen = h.server.requests.length;
    h.start();
    await until(() => r.completions.length > 0, 10_000, 'restart report');
    // Right after the start: the report goes out before the restarted agent asks for any work.
    const after = h.server.requests.slice(seen).map((q) => q.path);
    const report = after.findIndex((p) => p.endsWith(`/${cmd?.commandId}/complete`));
    const firstPoll = after.indexOf(POLL);
    expect(report).toBeGreaterThanOrEqual(0);
    if (firstPoll >= 0) expect(report).toBeLessThan(firstPoll);
    expect(r.completions[0]).toEqual({
      status: 'Failed',
      diagnostics: { errorCode: 'UnknownError', message: 'agent restarted during ApplicationStart' },
    });
    await until(async () => (await journalFiles()).length === 0, 5000, 'journal cleared');
  }, 60_000);

  it('backs off on a revoked credential and resumes as soon as a new credential.json appears', async () => {
    h.start();
    await until(() => h.server.count(POLL) > 0, 10_000, 'first poll');
    h.server.revokeAll();
    // Long backoff, not a retry storm: a poll refused with 401 is tried again only after the agent's long wait
    // (1.5 s in the harness), which the second refusal proves has passed.
    await until(() => gaps(POLL, 401).length >= 1, 10_000, 'a second refused poll');
    for (const gap of gaps(POLL, 401)) expect(gap).toBeGreaterThanOrEqual(1500);
    const agentLog = await readFile(join(h.config.logDir, 'drover-agent.log'), 'utf8');
    expect(agentLog).toContain("the API rejected this instance's credential");
    expect(agentLog).toContain('delete');

    // The operator registers the instance again and drops in the new credential.
    const credentialFile = join(h.config.rootDir, 'credential.json');
    const stored = JSON.parse(await readFile(credentialFile, 'utf8'));
    await writeFile(credentialFile, JSON.stringify({ ...stored, credential: h.server.issueCredential() }), {
      mode: 0o600,
    });
    const rev = await hookRevision('rev-1', 'echo back');
    const [cmd] = h.server.deploy(h.spec('d-REAUTH001', rev, null), ['ApplicationStart']);
    await until(
      () => h.server.record(cmd?.commandId ?? '').completions.length > 0,
      10_000,
      'work after re-registration',
    );
  }, 30_000);

  it('stops a running hook when the API reports its command terminal, and does not complete it', async () => {
    const rev = await hookRevision('rev-1', `sleep 60 & echo $! > ${'<tmp>'}/hook.pid; wait`);
    h.start();
    const [cmd] = h.server.deploy(h.spec('d-CANCEL001', rev, null), ['ApplicationStart']);
    const r = h.server.record(cmd?.commandId ?? '');
    await until(
      async () => (await readFile(join(h.tmp, 'hook.pid'), 'utf8').catch(() => '')) !== '',
      10_000,
      'hook running',
    );
    const pid = Number(await readFile(join(h.tmp, 'hook.pid'), 'utf8'));
    leftovers.push(pid);
    r.status = 'Failed'; // e.g. the deployment was stopped
    await until(() => !isAlive(pid), 5000, 'hook killed');
    await until(async () => (await journalFiles()).length === 0, 5000, 'journal cleared');
    await nextPoll('the cancelled hook');
    expect(r.completions).toEqual([]);
  }, 30_000);

  it('skips a command the API already considers finished', async () => {
    const rev = await hookRevision('rev-1', `touch <tmp>/ran`);
    const [cmd] = h.server.deploy(h.spec('d-SKIP00001', rev, null), ['ApplicationStart']);
    const r = h.server.record(cmd?.commandId ?? '');
    r.status = 'Succeeded';
    h.start();
    await until(() => r.ack !== undefined, 10_000, 'ack');
    await nextPoll('the skipped command');
    expect(r.completions).toEqual([]);
    await expect(readFile(join(h.tmp, 'ran'))).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('never busy-loops: an API answering empty polls at once, or failing, is retried slowly', async () => {
    await h.teardown();
    h = new Harness();
    await h.setup({ backoffBaseMs: 200, backoffCapMs: 1000 });
    h.server.holdPolls = false;
    h.start();
    // Empty answers that come at once: at least a second between polls (the agent's own floor), and it keeps polling.
    await until(() => gaps(POLL, 200).length >= 3, 15_000, 'four empty polls');
    for (const gap of gaps(POLL, 200)) expect(gap).toBeGreaterThanOrEqual(1000);
    // Failures: retried with backoff, never closer than its floor (a tenth of the 200 ms base), and retried again.
    h.server.outage = 503;
    await until(() => gaps(POLL, 503).length >= 5, 15_000, 'six refused polls');
    for (const gap of gaps(POLL, 503)) expect(gap).toBeGreaterThanOrEqual(20);
  }, 45_000);

  it('on stop, kills the running hook and reports the event failed', async () => {
    const rev = await hookRevision('rev-1', `sleep 60 & echo $! > ${'<tmp>'}/hook.pid; wait`);
    const agent = h.start();
    const [cmd] = h.server.deploy(h.spec('d-STOP00001', rev, null), ['ApplicationStart']);
    const r = h.server.record(cmd?.commandId ?? '');
    await until(
      async () => (await readFile(join(h.tmp, 'hook.pid'), 'utf8').catch(() => '')) !== '',
      10_000,
      'hook running',
    );
    const pid = Number(await readFile(join(h.tmp, 'hook.pid'), 'utf8'));
    leftovers.push(pid);
    const stopping = Date.now();
    await agent.stop();
    expect(Date.now() - stopping).toBeLessThan(ENDED_EARLY_MS);
    expect(isAlive(pid)).toBe(false);
    expect(r.completions[0]).toMatchObject({
      status: 'Failed',
      diagnostics: { message: 'agent stopped during ApplicationStart' },
    });
    expect(await journalFiles()).toEqual([]);
  }, 30_000);
});
