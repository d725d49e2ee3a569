// The console end-to-end run, self-contained: a fresh database, the console built into a temp directory, the API and
// a worker as processes on a free loopback port, the admin user seeded, real agents tagged e2e=true, then Playwright.
// Everything is torn down afterwards, on failure and on Ctrl-C too. Exit code = Playwright's.
//   pnpm exec tsx tests/e2e/run.ts [playwright args…]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  deleteRedisPrefix,
  ensureTemplate,
  processesWithEnv,
  testRedisPrefix,
  TEST_REDIS_URL,
  type TestDatabase,
} from '@drover/testing';
import {
  agentBundle,
  killProcessesUnder,
  killProcessesWithEnv,
  REPO_ROOT,
  spawnAgent,
  spawnService,
  waitForHttp,
  type ManagedProcess,
} from '../support/processes';

const AGENTS = Number(process.env.DROVER_E2E_AGENTS ?? '3');
const TAG = { key: 'e2e', value: 'true' };
const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };
/** Hard limit for the Playwright run; its own per-test timeouts are shorter. */
const PLAYWRIGHT_LIMIT_MS = Number(process.env.DROVER_E2E_LIMIT_MS ?? '600000');

/** Every process of this run carries it in its environment, so the final sweep finds whatever detached itself. */
const RUN_MARKER = { name: 'DROVER_E2E_RUN', value: randomBytes(8).toString('hex') };
const marker = { [RUN_MARKER.name]: RUN_MARKER.value };
/** Where the specs save their screenshots; DROVER_E2E_SCREENSHOTS_DIR=docs/screenshots refreshes the README's. */
const SCREENSHOTS_DIR = process.env.DROVER_E2E_SCREENSHOTS_DIR ?? 'test-results/e2e/screenshots';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (text: string) => console.log(`e2e: ${text} (${elapsed()})`);

let work: string | undefined;
let db: TestDatabase | undefined;
/** The API and the worker, in start order. */
const services: ManagedProcess[] = [];
const agents: ManagedProcess[] = [];
let playwrightPid: number | undefined;
let tornDown: Promise<void> | undefined;
/** Set when a process of this run survived teardown: the run fails. */
let leftoverFailure = false;
/** This run's Redis key prefix, deleted at teardown. */
let redisPrefix: string | undefined;

/** Once teardown has begun nothing new may start: a process started after the sweep would outlive the run. */
function assertNotTornDown(what: string) {
  if (tornDown) throw new Error(`e2e: torn down; not starting ${what}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no free port');
  return address.port;
}

/** Kills a whole process group (Playwright and the browsers it started); quiet when it is already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group
  }
}

const alive = (pid: number | undefined) => {
  try {
    return !!pid && process.kill(pid, 0);
  } catch {
    return false;
  }
};

function teardown(): Promise<void> {
  tornDown ??= (async () => {
    // Playwright first, gently (it closes its browsers), then for good.
    if (alive(playwrightPid)) {
      killGroup(playwrightPid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(playwrightPid); i++) await new Promise((r) => setTimeout(r, 100));
      killGroup(playwrightPid, 'SIGKILL');
    }
    // Agents first (they would otherwise retry against a stopped API), then the worker and the API.
    await Promise.all(agents.map((a) => a.stop('SIGTERM', 5000)));
    for (const s of [...services].reverse()) await s.stop('SIGTERM', 10_000);
    // Hook scripts run in their own sessions and browsers in their own groups: sweep whatever is left of this run,
    // again until a sweep finds nothing (a process may fork while the previous one is being killed).
    const leftovers: number[] = [];
    for (let round = 0; round < 10; round++) {
      const killed = [
        ...killProcessesWithEnv(RUN_MARKER.name, RUN_MARKER.value),
        ...(work ? killProcessesUnder(work) : []),
      ];
      if (killed.length === 0) break;
      leftovers.push(...killed);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (leftovers.length) console.error(`e2e: killed ${leftovers.length} leftover process(es): ${leftovers.join(' ')}`);
    // The check: nothing of this run may still run (a process we may not inspect or kill would show here).
    const survivors = processesWithEnv(RUN_MARKER.name, RUN_MARKER.value);
    if (survivors.length) {
      console.error(`e2e: ${survivors.length} process(es) of this run survived teardown:`);
      for (const p of survivors) console.error(`  ${p.pid} ${p.command}`);
      leftoverFailure = true;
    }
    if (redisPrefix) {
      await deleteRedisPrefix(redisPrefix).catch((err: Error) =>
        console.error(`e2e: deleting the Redis keys of ${redisPrefix} failed: ${err.message}`),
      );
    }
    await db?.drop().catch((err: Error) => console.error(`e2e: dropping ${db?.name} failed: ${err.message}`));
    if (work) rmSync(work, { recursive: true, force: true });
  })();
  return tornDown;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`e2e: ${signal}, tearing down`);
    void teardown().finally(() => process.exit(130));
  });
}

/** Logs in as the seeded admin, as the console does: the session cookie and its CSRF token. */
async function logIn(url: string): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (res.status !== 200) throw new Error(`admin log-in failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrfToken };
}

async function registrationToken(url: string, session: { cookie: string; csrfToken: string }): Promise<string> {
  const res = await fetch(`${url}/v1/registration-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    // A token bounds the tags its hosts may have (#18): this one gives them the agents' tag.
    body: JSON.stringify({ name: 'e2e agents', tags: [TAG] }),
  });
  if (res.status !== 201) throw new Error(`creating a registration token failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function waitForAgents(url: string, session: { cookie: string }): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/v1/instances?tag=${TAG.key}=${TAG.value}&status=online`, {
      headers: { cookie: session.cookie },
    });
    const { items } = (await res.json()) as { items: unknown[] };
    if (items.length >= AGENTS) return;
    if (Date.now() > until) {
      throw new Error(
        `only ${items.length} of ${AGENTS} agents came online:\n${agents.map((a) => a.output()).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<number> {
  work = mkdtempSync(path.join(tmpdir(), 'drover-e2e-'));
  const consoleDir = path.join(work, 'console');
  say('building the console');
  const build = spawnSync(
    'pnpm',
    ['--filter', '@drover/console', 'build', '--outDir', consoleDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`console build failed:\n${build.stdout}\n${build.stderr}`);

  await ensureTemplate();
  db = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  redisPrefix = testRedisPrefix();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    DATA_DIR: path.join(work, 'data'),
    HOST: '127.0.0.1',
    PORT: String(port),
    CONSOLE_DIR: consoleDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RECONCILE_INTERVAL_SECONDS: '1',
    // Every spec logs in afresh, and a fast run makes more than the default ten log-ins a minute from one address.
    LOGIN_ATTEMPTS_PER_MINUTE: '600',
    ...marker,
  };
  say(`starting the API on ${url} and a worker (database ${db.name})`);
  assertNotTornDown('the API');
  const api = spawnService('api', env);
  services.push(api);
  services.push(spawnService('worker', env));
  agentBundle(); // built while the API starts (one esbuild run, cached for the agents below)
  await waitForHttp(`${url}/readyz`, { process: api, timeoutMs: 120_000 }); // slow only on a loaded machine
  say('API ready');

  const session = await logIn(url);
  const token = await registrationToken(url, session);
  for (let i = 1; i <= AGENTS; i++) {
    assertNotTornDown(`agent web-${i}`);
    const base = path.join(work, `agent-${i}`);
    mkdirSync(base);
    agents.push(
      spawnAgent({
        url,
        registrationToken: token,
        name: `web-${i}`,
        tags: [TAG],
        baseDir: base,
        settings: { pollWaitSeconds: 5, heartbeatIntervalSeconds: 5, outputGraceMs: 500 },
        env: marker,
      }),
    );
  }
  await waitForAgents(url, session);
  say(`${AGENTS} agents online; running Playwright`);

  const bundles = path.join(work, 'bundles');
  mkdirSync(bundles);
  assertNotTornDown('Playwright');
  const playwright = spawn(
    'pnpm',
    ['exec', 'playwright', 'test', '-c', 'tests/e2e/playwright.config.ts', ...process.argv.slice(2)],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      detached: true, // its own process group, so the browsers go with it
      env: {
        ...process.env,
        DROVER_E2E_URL: url,
        DROVER_E2E_EMAIL: ADMIN.email,
        DROVER_E2E_PASSWORD: ADMIN.password,
        DROVER_E2E_TAG: `${TAG.key}=${TAG.value}`,
        DROVER_E2E_MIN_HOSTS: String(AGENTS),
        DROVER_E2E_SCREENSHOTS_DIR: path.resolve(REPO_ROOT, SCREENSHOTS_DIR),
        DROVER_E2E_TMPDIR: bundles,
        ...marker,
      },
    },
  );
  playwrightPid = playwright.pid;
  const limit = setTimeout(() => {
    console.error(`e2e: Playwright still running after ${PLAYWRIGHT_LIMIT_MS} ms, killing it`);
    killGroup(playwrightPid, 'SIGKILL');
  }, PLAYWRIGHT_LIMIT_MS);
  const code = await new Promise<number>((resolve) =>
    playwright.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
  );
  clearTimeout(limit);
  if (code !== 0) {
    for (const s of [...services, ...agents])
      console.error(`\n--- ${s.name} (last output)\n${s.output().slice(-4000)}`);
  }
  return code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`e2e: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await teardown();
  if (leftoverFailure && exitCode === 0) exitCode = 1;
  say(`done, exit ${exitCode}`);
}
process.exit(exitCode);
