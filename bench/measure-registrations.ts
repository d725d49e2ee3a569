// Agent registrations per second against a real API and worker (the benchmark's stack: own OS processes, a fresh
// database, a Redis prefix of its own). Prints figures, asserts nothing:
//   tsx bench/measure-registrations.ts [--hosts 2000] [--concurrency 32] [--profile DIR]
//
// Two runs: hosts registering with one unlimited token (the fleet case), then with one token limited to exactly that
// many uses (the serialised case). Unlike the benchmark's fleet, the hosts here do not start polling afterwards, so
// the figure is registration alone. The load average is printed because the machine may be shared.
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AGENT_API_PREFIX } from '@drover/contracts';
import { fakeAddress } from './fleet';
import { cleanup, cleanupOnExit } from './lib/cleanup';
import { JsonHttp } from './lib/http';
import { mapLimit } from './lib/limit';
import { startBenchStack } from './stack/bench-stack';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    /** Writes CPU profiles of the API and the worker there (summarise with bench/tools/profile-top.ts). */
    profile: { type: 'string' },
  },
});
const HOSTS = Number(values.hosts);
const CONCURRENCY = Number(values.concurrency);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function run(http: JsonHttp, token: string, prefix: string, offset: number) {
  const started = performance.now();
  let refused = 0;
  await mapLimit(
    Array.from({ length: HOSTS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const res = await http.request('POST', `${AGENT_API_PREFIX}/register`, {
        body: { registrationToken: token, name: `${prefix}-${i}`, tags: [{ key: 'env', value: 'bench' }] },
        headers: { 'x-forwarded-for': fakeAddress(offset + i) },
      });
      if (res.status !== 201 && refused++ === 0)
        console.log(`first refusal: ${res.status} ${JSON.stringify(res.body)}`);
    },
  );
  const s = (performance.now() - started) / 1000;
  return { perS: HOSTS / s, s, refused };
}

async function main() {
  cleanupOnExit();
  // Each host sends an address of its own (X-Forwarded-For, trusted from loopback by the benchmark's stack), so the
  // per-address registration limit does not bind.
  const stack = await startBenchStack({
    ...(values.profile
      ? {
          NODE_OPTIONS: `--import ${path.resolve('bench/tools/cpu-profile.mjs')}`,
          DROVER_BENCH_PROFILE_DIR: path.resolve(values.profile),
        }
      : {}),
  });
  const http = new JsonHttp(stack.url, { maxSockets: CONCURRENCY });
  try {
    console.log(`load average before: ${load()}`);
    const open = await run(http, stack.registrationToken, 'open', 0);
    console.log(
      `unlimited token: ${HOSTS} registrations in ${open.s.toFixed(1)} s = ${open.perS.toFixed(0)}/s ` +
        `(${open.refused} refused; concurrency ${CONCURRENCY}; load average ${load()})`,
    );
    const limited = await stack.rest.post<{ token: string }>('/v1/registration-tokens', {
      name: 'limited',
      expiresInHours: 24,
      allowExtraTags: true,
      maxUses: HOSTS,
    });
    const lim = await run(http, limited.token, 'limited', HOSTS);
    console.log(
      `token limited to ${HOSTS} uses: ${HOSTS} registrations in ${lim.s.toFixed(1)} s = ${lim.perS.toFixed(0)}/s ` +
        `(${lim.refused} refused; load average ${load()})`,
    );
  } finally {
    http.agent.destroy();
    await cleanup();
  }
}

main().catch(async (err) => {
  console.error(err);
  await cleanup();
  process.exit(1);
});
