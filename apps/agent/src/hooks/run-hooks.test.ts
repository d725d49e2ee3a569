import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HookScript } from '@drover/appspec';
import type { DeploymentSpec } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hookEnvironment } from './hook-env';
import { listProcesses } from './process-tree';
import { itAsRoot } from '../../test-support/root-only';
import { runHooks, type HookOutput } from './run-hooks';

let dir: string;
const leftovers: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-hooks-'));
  await chmod(dir, 0o755); // runas tests need other users to reach the scripts
});
afterEach(async () => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

class Collector implements HookOutput {
  lines: string[] = [];
  agent(text: string) {
    this.lines.push(`[agent] ${text}`);
  }
  output(stream: 'stdout' | 'stderr', line: string) {
    this.lines.push(`[${stream}]${line}`);
    return undefined;
  }
  tail() {
    return this.lines.join('\n');
  }
}

async function script(name: string, body: string, mode = 0o755): Promise<HookScript> {
  await mkdir(join(dir, 'scripts'), { recursive: true });
  await writeFile(join(dir, 'scripts', name), `#!/bin/sh\n${body}\n`, { mode });
  await chmod(join(dir, 'scripts', name), mode);
  return { location: `scripts/${name}`, timeoutSeconds: 30, sudo: false };
}

function run(
  scripts: HookScript[],
  env: NodeJS.ProcessEnv = process.env,
  grace = { killGraceMs: 1000, outputGraceMs: 500 },
) {
  const log = new Collector();
  const started = Date.now();
  return runHooks({ event: 'ApplicationStart', scripts, bundleDir: dir, env, log, ...grace }).then((result) => ({
    result,
    log,
    elapsedMs: Date.now() - started,
  }));
}

/**
 * The scripts below would run for 60 s if nothing ended them. Finishing well inside that shows they were ended (or
 * not waited for) rather than run out; the bound is wide so that a loaded machine cannot make it fail.
 */
const ENDED_EARLY_MS = 20_000;

// Zombies count as dead: they hold no files, and a container's PID 1 may never reap them.
const isAlive = (pid: number) => listProcesses().some((p) => p.pid === pid && p.state !== 'Z');

async function pidFrom(file: string): Promise<number> {
  const pid = Number((await readFile(join(dir, file), 'utf8')).trim());
  leftovers.push(pid);
  return pid;
}

describe('runHooks with real scripts', () => {
  it('runs scripts in order with prefixed output and the bundle as cwd', async () => {
    const a = await script('a.sh', 'echo "out $(pwd)"; echo err >&2');
    const b = await script('b.sh', 'printf "no newline"');
    const { result, log } = await run([a, b]);
    expect(result.status).toBe('Succeeded');
    expect(result.diagnostics.errorCode).toBe('Success');
    expect(log.lines).toContain(`[stdout]out ${dir}`);
    expect(log.lines).toContain('[stderr]err');
    expect(log.lines).toContain('[stdout]no newline');
  });

  it('maps a non-zero exit to ScriptFailed and stops at the first failure', async () => {
    const a = await script('fail.sh', 'echo about to fail; exit 3');
    const b = await script('never.sh', 'touch ran');
    const { result } = await run([a, b]);
    expect(result).toMatchObject({
      status: 'Failed',
      diagnostics: { errorCode: 'ScriptFailed', scriptName: 'scripts/fail.sh' },
    });
    expect(result.diagnostics.message).toContain('failed with exit code 3');
    expect(result.diagnostics.logTail).toContain('[stdout]about to fail');
    await expect(readFile(join(dir, 'ran'))).rejects.toThrow(/ENOENT/);
  });

  it('maps an absent script to ScriptMissing', async () => {
    const { result } = await run([{ location: 'scripts/nope.sh', timeoutSeconds: 5, sudo: false }]);
    expect(result.diagnostics).toMatchObject({ errorCode: 'ScriptMissing', scriptName: 'scripts/nope.sh' });
    expect(result.diagnostics.message).toBe('Script does not exist at specified location: scripts/nope.sh');
  });

  it('maps a script without the exec bit to ScriptNotExecutable', async () => {
    const s = await script('plain.sh', 'echo hi', 0o644);
    const { result } = await run([s]);
    expect(result.diagnostics.errorCode).toBe('ScriptNotExecutable');
    expect(result.diagnostics.message).toContain('not executable (mode 644');
  });

  it('maps a script with a missing interpreter to ScriptMissing and no #! line to a clear error', async () => {
    await mkdir(join(dir, 'scripts'));
    await writeFile(join(dir, 'scripts/interp.sh'), '#!/nonexistent/shell\necho hi\n', { mode: 0o755 });
    const { result } = await run([{ location: 'scripts/interp.sh', timeoutSeconds: 5, sudo: false }]);
    expect(result.diagnostics.errorCode).toBe('ScriptMissing');
    expect(result.diagnostics.message).toMatch(/missing interpreter/);
  });

  it('kills the whole process group on timeout', async () => {
    const s = await script('slow.sh', 'sleep 60 & echo $! > child.pid; sleep 60');
    const { result, elapsedMs } = await run([{ ...s, timeoutSeconds: 1 }]);
    expect(result.diagnostics.errorCode).toBe('ScriptTimedOut');
    expect(result.diagnostics.message).toContain('failed to complete in 1 seconds');
    expect(elapsedMs).toBeLessThan(ENDED_EARLY_MS);
    expect(isAlive(await pidFrom('child.pid'))).toBe(false);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM, after the timeout and its grace', async () => {
    const s = await script('stubborn.sh', "trap '' TERM; sleep 60 & echo $! > child.pid; sleep 60");
    const { result, elapsedMs } = await run([{ ...s, timeoutSeconds: 1 }]);
    expect(result.diagnostics.errorCode).toBe('ScriptTimedOut');
    expect(elapsedMs).toBeGreaterThanOrEqual(1900); // 1 s timeout + 1 s grace
    expect(elapsedMs).toBeLessThan(ENDED_EARLY_MS);
    expect(isAlive(await pidFrom('child.pid'))).toBe(false);
  });

  it('times out cleanly when an escaped background child still holds stdout', async () => {
    // setsid leaves our process group, so the kill cannot reach it; the pipe stays open.
    const s = await script('escape.sh', 'setsid sleep 60 & echo $! > child.pid; echo started; sleep 60');
    const { result, elapsedMs, log } = await run([{ ...s, timeoutSeconds: 1 }]);
    expect(result.diagnostics.errorCode).toBe('ScriptTimedOut');
    expect(result.diagnostics.message).toContain('OutputsLeftOpen');
    expect(log.lines).toContain('[stdout]started');
    expect(elapsedMs).toBeLessThan(ENDED_EARLY_MS);
    await pidFrom('child.pid');
  });

  it('does not wait for a background child that keeps stdout open after a successful script', async () => {
    const s = await script('daemon.sh', 'sleep 60 & echo $! > child.pid; echo launched');
    const { result, elapsedMs, log } = await run([s]);
    expect(result.status).toBe('Succeeded');
    expect(elapsedMs).toBeLessThan(ENDED_EARLY_MS);
    expect(log.lines.some((l) => l.includes('OutputsLeftOpen'))).toBe(true);
    // Not killed: starting a long-running process is what such scripts are for.
    expect(isAlive(await pidFrom('child.pid'))).toBe(true);
  });

  it('gives scripts the CodeDeploy variables and the deployment environment, but not the agent token', async () => {
    const s = await script(
      'env.sh',
      'echo "$LIFECYCLE_EVENT $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID $STAGE [$DROVER_REGISTRATION_TOKEN]"',
    );
    const spec = {
      deploymentId: 'd-ABCDEFGHI',
      applicationName: 'shop',
      deploymentGroupName: 'prod',
      deploymentGroupId: '6f1c2b7e-0000-4000-8000-000000000001',
      environment: { STAGE: 'production', LIFECYCLE_EVENT: 'spoofed' },
    } as unknown as DeploymentSpec;
    const env = hookEnvironment(spec, 'ApplicationStart', {
      PATH: process.env.PATH,
      DROVER_REGISTRATION_TOKEN: 'secret',
    });
    const { log } = await run([s], env);
    expect(log.lines).toContain(
      '[stdout]ApplicationStart d-ABCDEFGHI shop prod 6f1c2b7e-0000-4000-8000-000000000001 production []',
    );
  });

  itAsRoot('runs as another user through su, and a timeout still kills its session', async () => {
    await chmod(dir, 0o777);
    const who = await script('who.sh', 'id -un');
    const slow = await script('slow-nobody.sh', 'sleep 60 & echo $! > child.pid; sleep 60');
    const first = await run([{ ...who, runas: 'nobody' }]);
    expect(first.log.lines).toContain('[stdout]nobody');
    const second = await run([{ ...slow, runas: 'nobody', timeoutSeconds: 1 }]);
    expect(second.result.diagnostics.errorCode).toBe('ScriptTimedOut');
    expect(second.elapsedMs).toBeLessThan(ENDED_EARLY_MS);
    expect(isAlive(await pidFrom('child.pid'))).toBe(false);
  });
});
