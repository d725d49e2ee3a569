// The API's own view of a window, from its Prometheus endpoint (/metrics, public): event-loop delay (prom-client
// resets its histogram at each scrape, so scraping at the start and at the end covers exactly the window), time
// spent in garbage collection, heap in use.
import type { JsonHttp } from './http';
import { round } from './stats';

type Samples = Map<string, number>;

/** An empty map when the API does not answer in time: these figures explain others, they must not abort a run. */
async function scrape(http: JsonHttp): Promise<Samples> {
  const out: Samples = new Map();
  const res = await http
    .request<string>('GET', '/metrics', { timeoutMs: 30_000, headers: { accept: 'text/plain' } })
    .catch(() => ({ status: 0, body: '' }));
  for (const line of String(res.body).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const gcSeconds = (s: Samples) => {
  let sum = 0;
  for (const [k, v] of s) if (k.startsWith('drover_nodejs_gc_duration_seconds_sum')) sum += v;
  return sum;
};

export async function apiWindow(http: JsonHttp) {
  const before = await scrape(http);
  return async () => {
    const after = await scrape(http);
    const ms = (k: string) => round((after.get(k) ?? Number.NaN) * 1000, 1);
    return {
      eventLoopDelayP99Ms: ms('drover_nodejs_eventloop_lag_p99_seconds'),
      eventLoopDelayMaxMs: ms('drover_nodejs_eventloop_lag_max_seconds'),
      gcSeconds: round(gcSeconds(after) - gcSeconds(before), 2),
      heapUsedMb: round((after.get('drover_nodejs_heap_size_used_bytes') ?? Number.NaN) / 1024 ** 2, 0),
    };
  };
}
