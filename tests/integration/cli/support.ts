// Running the real `drover` binary in tests: built once per test file exactly as shipped (one esbuild bundle, plain
// Node), run as a child process with its own HOME and config directory, every run bounded by a timeout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../support/processes';

let bundle: string | undefined;
const tempDirs: string[] = [];

/** A temporary directory removed by cleanupCliTemp(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `drover-cli-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function cleanupCliTemp(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Builds apps/cli into a temp directory with its own build script, once per test process. */
export function cliBundle(): string {
  if (bundle) return bundle;
  const out = path.join(tempDir('bundle'), 'drover.mjs');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'apps/cli/build.mjs')], {
    env: { ...process.env, DROVER_CLI_OUTFILE: out },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the CLI failed:\n${r.stdout}\n${r.stderr}`);
  bundle = out;
  return out;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to (or, with undefined values, removed from) the base environment. */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** The environment every run starts from: no colours, a private HOME and config directory. */
export function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_COLOR: '1',
  };
}

export interface CliProcess {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output so far matches, rejects after the timeout. */
  waitForOutput(match: RegExp, timeoutMs?: number): Promise<void>;
  result(): Promise<CliResult>;
}

export function startCli(args: string[], home: string, opts: CliOptions = {}): CliProcess {
  const env: Record<string, string> = { ...baseEnv(home) };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const proc = spawn(process.execPath, [cliBundle(), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  proc.stdin.end(opts.input ?? '');
  const timeoutMs = opts.timeoutMs ?? 45_000;
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(
        new Error(`drover ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, timeoutMs);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForOutput(match, ms = 20_000) {
      const until = Date.now() + ms;
      while (!match.test(stdout)) {
        if (proc.exitCode !== null)
          throw new Error(
            `drover exited (${proc.exitCode}) before printing ${match}\nstdout: ${stdout}\nstderr: ${stderr}`,
          );
        if (Date.now() > until) throw new Error(`no ${match} in ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    result: () => done,
  };
}

export function runCli(args: string[], home: string, opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, home, opts).result();
}

/** A bundle directory: appspec.yml plus executable hook scripts. */
export function bundleDir(appspec: string, scripts: string[] = []): string {
  const dir = tempDir('app');
  writeFileSync(path.join(dir, 'appspec.yml'), appspec);
  mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  for (const s of scripts) {
    const file = path.join(dir, s);
    writeFileSync(file, '#!/bin/sh\necho ok\n');
    chmodSync(file, 0o755);
  }
  writeFileSync(path.join(dir, 'index.html'), `<h1>${path.basename(dir)}</h1>\n`);
  return dir;
}

export const VALID_APPSPEC = `version: 0.0
os: linux
files:
  - source: index.html
    destination: /var/www/app
hooks:
  BeforeInstall:
    - location: scripts/before.sh
      timeout: 60
  ValidateService:
    - location: scripts/validate.sh
      timeout: 30
`;
export const VALID_SCRIPTS = ['scripts/before.sh', 'scripts/validate.sh'];

/** Polls until `check` returns a value, or throws after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A promise with its resolve function: holds a protocol agent's event in flight until the test releases it. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
