// Real traffic for traffic tests: single GETs, and a load of concurrent sequential-request loops over keep-alive
// connections that counts every answer by body (the backend's name) and every failure with its reason.
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One GET to 127.0.0.1:<port><path>; a connection error or the timeout rejects. */
export function httpGet(port: number, path = '/', opts: { agent?: http.Agent; timeoutMs?: number } = {}) {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: opts.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

export interface LoadTotals {
  ok: number;
  failed: number;
  /** 200 answers by body. */
  byBody: Record<string, number>;
  /** The first few failures, as "status 503" or the error message. */
  failures: string[];
  elapsedMs: number;
}

export interface Load {
  /** Totals so far (the load keeps running). */
  totals(): LoadTotals;
  /** Stops every loop after its current request and returns the totals. */
  stop(): Promise<LoadTotals>;
}

/** `concurrency` loops, each sending one request after another through one keep-alive agent. */
export function startLoad(port: number, opts: { concurrency?: number; path?: string } = {}): Load {
  const concurrency = opts.concurrency ?? 10;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const started = Date.now();
  const totals: LoadTotals = { ok: 0, failed: 0, byBody: {}, failures: [], elapsedMs: 0 };
  let running = true;
  const fail = (why: string) => {
    totals.failed += 1;
    if (totals.failures.length < 20) totals.failures.push(why);
  };
  const loop = async () => {
    while (running) {
      try {
        const answer = await httpGet(port, opts.path ?? '/', { agent });
        if (answer.status === 200) {
          totals.ok += 1;
          totals.byBody[answer.body] = (totals.byBody[answer.body] ?? 0) + 1;
        } else fail(`status ${answer.status}: ${answer.body.trim().slice(0, 80)}`);
      } catch (error) {
        fail((error as Error).message);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  const snapshot = () => ({ ...totals, byBody: { ...totals.byBody }, elapsedMs: Date.now() - started });
  return {
    totals: snapshot,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return snapshot();
    },
  };
}
