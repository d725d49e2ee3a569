// One PostgreSQL pool per process, shared by the Prisma client (ordinary data access) and raw SQL on the hot paths
// (agent poll, event completion), where Prisma's per-query overhead would dominate.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export { Prisma, PrismaClient } from '../generated/prisma/client';
export type * from '../generated/prisma/client';

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(databaseUrl: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'drover',
    // Fail fast while PostgreSQL is down instead of queueing requests behind a dead server.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor may a checked-out one that is between queries when PostgreSQL shuts down (its "terminating connection"
  // arrives as an 'error' event, which would be uncaught): the caller's next query on it fails instead, and the pool
  // discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: false }) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

/** True for errors that mean "the database is unreachable right now" (answer 503, retry later), not a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown } | null;
  if (!e) return false;
  const code = e.code ?? '';
  // Prisma could not start a transaction in time: the pool is saturated, which is "busy, retry", not a bug.
  if (code === 'P2028') return true;
  // Prisma's names for the driver adapter's connection errors: not reachable, socket timeout, the server closed the
  // connection (PostgreSQL going down under a running query), too many connections.
  if (['P1001', 'P1008', 'P1017', 'P2037'].includes(code)) return true;
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300'].includes(code)
  )
    return true;
  if (/^08/.test(code)) return true; // connection exceptions
  const msg = e.message ?? '';
  if (
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Can't reach database|ECONNREFUSED|terminating connection|Server has closed the connection|is not queryable/i.test(
      msg,
    )
  )
    return true;
  return e.cause ? isDatabaseUnavailable(e.cause) : false;
}
