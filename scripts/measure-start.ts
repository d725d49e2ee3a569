// Start time and memory of the API and the worker, run from TypeScript through tsx and from the compiled bundles
// (`pnpm build:server`). Prints figures, asserts nothing: `tsx scripts/measure-start.ts [--runs 5]`.
//
// Each run starts one process against a scratch database (already migrated, so migrations are only checked) and the
// local Redis, and measures: start → ready (API: GET /healthz answers 200; worker: it logs "worker started") in wall
// time and in CPU time (user + system, which a busy machine inflates far less), then its RSS once it has settled for
// 3 s. The runs alternate between the two ways, so load on the machine hits both alike.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createTestDatabase,
  deleteRedisPrefix,
  ensureTemplate,
  testRedisPrefix,
  TEST_REDIS_URL,
} from '@drover/testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

type Kind = 'api' | 'worker';
type Way = 'tsx' | 'compiled';
const COMMAND: Record<Kind, Record<Way, string[]>> = {
  api: { tsx: ['--import', 'tsx', 'apps/api/src/server.ts'], compiled: ['apps/api/dist/main.js'] },
  worker: { tsx: ['--import', 'tsx', 'apps/worker/src/main.ts'], compiled: ['apps/worker/dist/main.js'] },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sparePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** CPU time the process has used so far (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) / 1024;
}

async function once(
  kind: Kind,
  way: Way,
  env: Record<string, string>,
): Promise<{ readyMs: number; cpuMs: number; rssMb: number }> {
  const port = await sparePort();
  const started = performance.now();
  const child = spawn(process.execPath, COMMAND[kind][way], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${kind} (${way}) exited:\n${out}`);
      if (performance.now() - started > 120_000) throw new Error(`${kind} (${way}) not ready in 120 s:\n${out}`);
      const ready =
        kind === 'worker'
          ? out.includes('"msg":"worker started"')
          : await fetch(`http://127.0.0.1:${port}/healthz`).then(
              (r) => r.ok,
              () => false,
            );
      if (ready) break;
      await sleep(kind === 'worker' ? 5 : 20);
    }
    const readyMs = performance.now() - started;
    const cpu = cpuMs(child.pid!);
    await sleep(3000);
    return { readyMs, cpuMs: cpu, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

await ensureTemplate();
const db = await createTestDatabase();
const prefix = testRedisPrefix();
const dataDir = await mkdtemp(path.join(tmpdir(), 'drover-measure-'));
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  DATABASE_URL: db.url,
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  DATA_DIR: dataDir,
  ADMIN_PASSWORD: 'measure-start-password',
  LOG_LEVEL: 'info',
  NODE_ENV: 'production',
};
const results: Record<string, { readyMs: number[]; cpuMs: number[]; rssMb: number[] }> = {};
try {
  console.log(`node ${process.version}; ${RUNS} runs of each, alternating`);
  for (let i = 0; i < RUNS; i++) {
    for (const kind of ['api', 'worker'] as const) {
      for (const way of ['tsx', 'compiled'] as const) {
        const r = await once(kind, way, env);
        const key = `${kind} ${way}`;
        results[key] ??= { readyMs: [], cpuMs: [], rssMb: [] };
        results[key].readyMs.push(r.readyMs);
        results[key].cpuMs.push(r.cpuMs);
        results[key].rssMb.push(r.rssMb);
        const figures = `ready ${r.readyMs.toFixed(0)} ms, CPU ${r.cpuMs} ms, RSS ${r.rssMb.toFixed(1)} MB`;
        console.log(`  run ${i + 1} ${key.padEnd(15)} ${figures}`);
      }
    }
  }
  console.log('\nmedians          ready (min–max)               CPU to ready    RSS 3 s after ready');
  for (const [key, r] of Object.entries(results)) {
    const range = `${Math.min(...r.readyMs).toFixed(0)}–${Math.max(...r.readyMs).toFixed(0)}`;
    const ready = `${median(r.readyMs).toFixed(0)} ms (${range})`;
    const cpu = `${median(r.cpuMs).toFixed(0)} ms`;
    console.log(`${key.padEnd(16)} ${ready.padEnd(29)} ${cpu.padEnd(15)} ${median(r.rssMb).toFixed(1)} MB`);
  }
} finally {
  await db.drop();
  await deleteRedisPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
}
