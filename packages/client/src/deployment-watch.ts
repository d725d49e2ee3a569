// Follows one deployment to its end: the live stream for promptness, the target list once per connection (the stream
// sends targets only when they change), a reconnect when the stream drops, and a slow re-read of the deployment so a
// lost notice can delay the end but never hang it. Yields the stream's messages; the last one is the deployment in
// its final state, preceded by every target in its final state.
import { isTerminalDeploymentStatus, type DeploymentInfo, type TargetInfo } from '@drover/contracts';
import { AsyncQueue } from './async-queue';
import { DroverApiError } from './errors';
import { collectPages } from './paginate';
import type { DeploymentStreamEvent, DeploymentsApi } from './resources/deployments';

export interface WatchOptions {
  signal?: AbortSignal | undefined;
  /** Re-read the deployment this often whatever the stream says (default 5 s). */
  pollIntervalMs?: number;
  /** Pause before reconnecting a dropped stream (default 1 s). */
  reconnectDelayMs?: number;
  /** Give up after this many failed connections in a row, e.g. while the API is down (default 10). */
  maxFailures?: number;
}

/** 4xx answers (other than rate limiting) will not change by retrying: a bad id, a revoked token. */
function isPermanent(err: unknown): boolean {
  return (
    err instanceof DroverApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429
  );
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function* watchDeployment(
  api: DeploymentsApi,
  id: string,
  opts: WatchOptions = {},
): AsyncGenerator<DeploymentStreamEvent> {
  if (opts.signal?.aborted) return;
  const queue = new AsyncQueue<DeploymentStreamEvent>();
  const stop = new AbortController();
  // The caller gave up: end the iteration (waitForDeployment then throws the abort reason).
  const onAbort = () => {
    stop.abort();
    queue.close();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let finishing = false;

  const allTargets = async (): Promise<TargetInfo[]> =>
    (await collectPages((cursor) => api.targets(id, { cursor }, stop.signal))).items;

  /** The end: final targets, then the final deployment, then nothing more. */
  const finish = async (d: DeploymentInfo) => {
    if (finishing) return;
    finishing = true;
    try {
      for (const target of await allTargets()) queue.push({ type: 'target', target });
    } catch {
      // best effort: the deployment's own final state below is what callers act on
    }
    queue.push({ type: 'deployment', deployment: d });
    queue.close();
    stop.abort();
  };

  const stream = async () => {
    let failures = 0;
    while (!finishing && !stop.signal.aborted) {
      try {
        let connected = false;
        for await (const ev of api.events(id, { signal: stop.signal })) {
          failures = 0;
          if (ev.type !== 'deployment') {
            queue.push(ev);
            continue;
          }
          if (isTerminalDeploymentStatus(ev.deployment.status)) return await finish(ev.deployment);
          queue.push(ev);
          if (!connected) {
            connected = true;
            for (const target of await allTargets()) queue.push({ type: 'target', target });
          }
        }
        // The stream ended without a final state (a proxy timeout, an API restart): look, then reconnect.
        const d = await api.get(id, stop.signal);
        if (isTerminalDeploymentStatus(d.status)) return await finish(d);
        queue.push({ type: 'deployment', deployment: d });
      } catch (err) {
        if (finishing || stop.signal.aborted) return;
        if (isPermanent(err) || ++failures >= (opts.maxFailures ?? 10)) throw err;
      }
      await sleep(opts.reconnectDelayMs ?? 1000, stop.signal);
    }
  };

  const poll = async () => {
    while (!finishing && !stop.signal.aborted) {
      await sleep(opts.pollIntervalMs ?? 5000, stop.signal);
      if (finishing || stop.signal.aborted) return;
      try {
        const d = await api.get(id, stop.signal);
        if (isTerminalDeploymentStatus(d.status)) return await finish(d);
      } catch {
        // the stream loop reports lasting trouble; this is only a safety net
      }
    }
  };

  const fail = (err: unknown) => {
    if (!finishing && !stop.signal.aborted) queue.fail(err);
    stop.abort();
  };
  void stream().catch(fail);
  void poll().catch(fail);
  try {
    for (;;) {
      const next = await queue.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    stop.abort();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Follows a deployment to its end and returns its final state; `onEvent` sees every message on the way. */
export async function waitForDeployment(
  api: DeploymentsApi,
  id: string,
  opts: WatchOptions & { onEvent?: (e: DeploymentStreamEvent) => void } = {},
): Promise<DeploymentInfo> {
  let last: DeploymentInfo | undefined;
  for await (const e of watchDeployment(api, id, opts)) {
    opts.onEvent?.(e);
    if (e.type === 'deployment') last = e.deployment;
  }
  if (!last || !isTerminalDeploymentStatus(last.status)) {
    // Only an abort ends the watch early.
    throw opts.signal?.reason ?? new Error(`stopped watching ${id} before it finished`);
  }
  return last;
}
