// Request loggers made on first use behave as Fastify's own children: the request id on every line, levels honoured,
// a route's own log level, children of children. Real Fastify with its real pino, writing to a stream read back.
import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { lazyChildLoggerFactory } from './lazy-child-logger';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function appLogging(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({
    logger: { level, stream },
    childLoggerFactory: lazyChildLoggerFactory,
    // Fastify's own request lines only for /boom, so the other tests see exactly what their handlers wrote.
    logController: new LogController({ disableRequestLogging: (req) => req.url !== '/boom' }),
    genReqId: () => 'req-1',
  });
  app.get('/quiet', async (req) => {
    req.log.debug('not at this level');
    return { ok: true };
  });
  app.get('/loud', async (req) => {
    req.log.info('skipped at warn');
    req.log.warn({ detail: 1 }, 'written');
    req.log.child({ step: 'inner' }).error('from a child');
    return { level: req.log.level };
  });
  app.get('/chatty', { logLevel: 'debug' }, async (req) => {
    req.log.debug('route level debug');
    return {};
  });
  app.get('/quiet-warn', { logLevel: 'warn' }, async (req) => {
    req.log.info('below the route level');
    return {};
  });
  app.get('/boom', async () => {
    throw new Error('kaput');
  });
  await app.ready();
  close = () => app.close();
  return { app, lines };
}

it('writes nothing for a request that logs below the level', async () => {
  const { app, lines } = await appLogging('info');
  expect((await app.inject('/quiet')).statusCode).toBe(200);
  expect(lines).toEqual([]);
});

it('writes enabled lines with the request id, and children carry both bindings', async () => {
  const { app, lines } = await appLogging('warn');
  const res = await app.inject('/loud');
  expect(res.json()).toEqual({ level: 'warn' });
  expect(lines.map((l) => [l.msg, l.reqId, l.detail, l.step])).toEqual([
    ['written', 'req-1', 1, undefined],
    ['from a child', 'req-1', undefined, 'inner'],
  ]);
});

it("honours a route's own log level", async () => {
  const { app, lines } = await appLogging('warn');
  await app.inject('/chatty');
  expect(lines.map((l) => [l.msg, l.reqId])).toEqual([['route level debug', 'req-1']]);
});

it("logs Fastify's own error lines with the request id", async () => {
  const { app, lines } = await appLogging('info');
  expect((await app.inject('/boom')).statusCode).toBe(500);
  const err = lines.find((l) => (l.err as { message?: string } | undefined)?.message === 'kaput');
  expect(err?.reqId).toBe('req-1');
  expect(lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored').map((l) => l.reqId)).toEqual(
    ['req-1'],
  );
});

it("keeps a route's own level without making a logger for a request that writes nothing", async () => {
  const { app, lines } = await appLogging('info');
  app.log.child = () => {
    throw new Error('a child logger was made');
  };
  // Neither writes a line at its level (the server's, or the route's own warn), so neither needs a logger.
  expect((await app.inject('/quiet')).statusCode).toBe(200);
  expect((await app.inject('/quiet-warn')).statusCode).toBe(200);
  expect(lines).toEqual([]);
});
