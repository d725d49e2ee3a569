// Runs docs/api.md's curl walkthrough exactly as written: the ```bash walkthrough blocks, in order, as one bash
// script, against the real stack (API listening on loopback, a worker, PostgreSQL, Redis) with two agents tagged
// env=staging, the tag the walkthrough's deployment group targets. When the doc changes, this runs the new doc.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';

const DOC = path.resolve(__dirname, '../../../docs/api.md');
const HOSTS = ['walk-1', 'walk-2'];
const SCRIPT_TIMEOUT_MS = 120_000;

let stack: TestStack;
const agents: ProtocolAgent[] = [];
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  for (const name of HOSTS) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        tags: [{ key: 'env', value: 'staging' }],
      }),
    );
  }
  dir = await mkdtemp(path.join(tmpdir(), 'drover-walkthrough-'));
});
afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The fenced blocks whose info string is `bash walkthrough`, in document order. */
function walkthroughBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```bash walkthrough\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

function runBash(file: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', [file], { cwd: dir, env: { ...process.env, ...env }, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The script waits for the deployment itself; this bound only keeps a broken doc from hanging the suite.
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${SCRIPT_TIMEOUT_MS} ms)`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, SCRIPT_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('docs/api.md walkthrough', () => {
  it('extracts the blocks', () => {
    const blocks = walkthroughBlocks(
      'x\n```bash walkthrough\necho 1\n```\n```sh\nno\n```\n```bash walkthrough\necho 2\n```\n',
    );
    expect(blocks).toEqual(['echo 1\n', 'echo 2\n']);
  });

  it('runs as written: log in, token, application, group, upload, plan, deploy, wait, logs', async () => {
    const blocks = walkthroughBlocks(await readFile(DOC, 'utf8'));
    const script = blocks.join('\n');
    // The steps the issue asks the walkthrough to show, each through its route.
    for (const step of [
      '/v1/auth/login',
      '/v1/tokens',
      '/v1/applications',
      '/deployment-groups',
      '/revisions?bundleType=tgz',
      'appspec.yml',
      '/v1/deployments/plan',
      '/v1/deployments',
      '/events/ApplicationStart/log',
    ]) {
      expect(script, step).toContain(step);
    }
    const file = path.join(dir, 'walkthrough.sh');
    await writeFile(file, script);
    const run = await runBash(file, {
      DROVER_URL: stack.url,
      DROVER_EMAIL: stack.adminEmail,
      DROVER_PASSWORD: stack.adminPassword,
    });
    const output = `--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
    expect(run.code, output).toBe(0);

    // What the reader sees: the plan, the final status, every host's status and its hook output.
    expect(run.stdout, output).toMatch(/2 hosts, FLEET_PERCENT 50/);
    expect(run.stdout, output).toMatch(/^Succeeded \{/m);
    for (const host of HOSTS) {
      expect(run.stdout, output).toContain(`== ${host}: Succeeded`);
      expect(run.stdout, output).toContain(`[stdout] ApplicationStart on ${host}`);
    }

    // And what the server recorded: the uploaded bundle, and one succeeded deployment of it to both hosts.
    const { prisma } = stack.ctx.db;
    const deployments = await prisma.deployment.findMany({
      where: { application: { name: 'hello' } },
      include: { revision: true, targets: true },
    });
    expect(deployments).toHaveLength(1);
    const [d] = deployments;
    expect(d?.status).toBe('Succeeded');
    expect(d?.revision).toMatchObject({ revisionType: 'Upload', bundleType: 'tgz', description: '1.0.0' });
    expect(d?.targets.map((t) => t.instanceName).sort()).toEqual(HOSTS);
    expect(run.stdout, output).toContain(`deployment ${d?.id}`);
    // The token the walkthrough created is the one that deployed.
    expect(await prisma.apiToken.count({ where: { name: 'walkthrough', role: 'deployer' } })).toBe(1);
  }, 180_000);
});
