// Liveness and readiness. /readyz checks what Drover needs to do work: database, Redis, migrations, bundle storage.
import { z } from 'zod';
import { pendingMigrations } from '@drover/db';
import type { ApiContext } from '../context';
import type { ZodApp } from '../lib/zod-app';

const Check = z.object({ ok: z.boolean(), detail: z.string().optional() });
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: Check, redis: Check, migrations: Check, storage: Check }),
});

async function check(fn: () => Promise<string | undefined>): Promise<z.infer<typeof Check>> {
  try {
    const detail = await fn();
    return detail === undefined ? { ok: true } : { ok: true, detail };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

export function registerHealthRoutes(app: ZodApp, ctx: ApiContext) {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: { operationId: 'healthz', tags: ['health'], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: { operationId: 'readyz', tags: ['health'], response: { 200: Ready, 503: Ready } },
    },
    async (_req, reply) => {
      const withTimeout = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error('timed out after 2 s')), 2000))]);
      const [database, redis, migrations, storage] = await Promise.all([
        check(async () => {
          await withTimeout(ctx.db.pool.query('SELECT 1'));
          return undefined;
        }),
        check(async () => {
          const pong = await withTimeout(ctx.redis.ping());
          if (pong !== 'PONG') throw new Error(`unexpected reply ${pong}`);
          return undefined;
        }),
        check(async () => {
          const pending = await withTimeout(
            pendingMigrations(async (sql) => (await ctx.db.pool.query<{ migration_name: string }>(sql)).rows),
          );
          if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
          return undefined;
        }),
        check(async () => {
          await withTimeout(ctx.storage.ping());
          return ctx.storage.kind;
        }),
      ]);
      const checks = { database, redis, migrations, storage };
      const ok = Object.values(checks).every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
    },
  );
}
