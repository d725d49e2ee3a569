// Drover's configuration, parsed once from the environment with zod. A bad value stops start-up with one line
// naming the variable. Every variable is documented in docs/configuration.md.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** proxy-addr's names for address ranges, accepted in TRUSTED_PROXIES beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyEntry(e: string): boolean {
  if (PROXY_RANGE_NAMES.has(e)) return true;
  const [addr, bits, extra] = e.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}
/** Comma-separated proxy addresses, CIDRs or range names; empty: trust no proxy (the default). */
const trustedProxies = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every(isProxyEntry), {
    message: 'must be a comma-separated list of IP addresses, CIDRs (10.0.0.0/8) or loopback, linklocal, uniquelocal',
  });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://');
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://');

export const EnvSchema = z
  .object({
    /** PostgreSQL connection string. Unset: `pnpm start` finds or starts a local server. */
    DATABASE_URL: postgresUrl,
    /** Redis connection string. Unset: `pnpm start` finds or starts a local server. */
    REDIS_URL: redisUrl,
    /** Prefix for every Redis key and channel, so several Drover installs (or tests) can share one Redis. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
      .default('drover'),
    HOST: z.string().default('0.0.0.0'),
    /**
     * Reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed (addresses, CIDRs, or loopback,
     * linklocal, uniquelocal). Unset: none, so the client address is the TCP peer's and nobody can fake it.
     */
    TRUSTED_PROXIES: trustedProxies.default([]),
    /** Hours the generated first-start admin password stays valid if it is not changed. */
    ADMIN_PASSWORD_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(24),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Public URL of the API, used in links given to agents and users. */
    PUBLIC_URL: z.string().url().optional(),
    /** Where bundles (local storage) and embedded services keep their data. */
    DATA_DIR: z.string().default('.drover'),
    /** 32+ random characters used to sign deployment specs and derive secrets. */
    SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** local | s3 */
    BUNDLE_STORAGE: z.enum(['local', 's3']).default('local'),
    S3_BUCKET: z.string().optional(),
    S3_ENDPOINT: z.string().url().optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: bool.default(true),
    /** Largest bundle accepted, in MiB. */
    MAX_BUNDLE_MB: z.coerce.number().int().min(1).max(100_000).default(1024),
    /** Seconds without a poll or heartbeat before a host's agent counts as lost and its events fail. */
    AGENT_LOST_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(90),
    /** Seconds a dispatched event may wait for the agent's acknowledgement before it fails. */
    EVENT_ACK_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
    /** Seconds added to a hook's own timeout before the server gives up on it. */
    EVENT_TIMEOUT_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    /** How often the worker sweeps for timeouts and re-drives unfinished deployments, in seconds. */
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().min(0.2).max(3600).default(5),
    /**
     * Log-in attempts (and password-change attempts) a minute per source address and account before 429: enough for
     * typos, too few for guessing. Raise it only where many people share one address through a proxy not trusted.
     */
    LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
    /** How often a deployment's alarms are evaluated while it runs and bakes, in seconds (docs/canary-and-alarms.md). */
    ALARM_CHECK_INTERVAL_SECONDS: z.coerce.number().min(0.2).max(3600).default(2),
    /** Notifications: how long a receiver's answer is awaited, in seconds. */
    NOTIFY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(120).default(10),
    /** Notifications: retries go on for this long after the event (then the delivery is marked failed), in seconds. */
    NOTIFY_RETRY_WINDOW_SECONDS: z.coerce
      .number()
      .min(1)
      .max(7 * 86_400)
      .default(86_400),
    /** Notifications: the first retry's delay and the longest one (exponential with jitter between), in seconds. */
    NOTIFY_BACKOFF_BASE_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
    NOTIFY_BACKOFF_MAX_SECONDS: z.coerce.number().min(0.05).max(86_400).default(3600),
    /** Notifications: chat targets gather a batch's instance events this long into one message, in seconds. */
    NOTIFY_CHAT_SUMMARY_SECONDS: z.coerce.number().min(0).max(3600).default(10),
    /** Notifications: how often the worker looks for due deliveries in the outbox, in seconds. */
    NOTIFY_SWEEP_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(1),
    /** Notifications: deliveries sent at once per worker process. */
    NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(20),
    /** Worker concurrency for deployment jobs. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    /**
     * How long a worker's claim on a job lasts unless renewed, in seconds (it is renewed every third of that or
     * sooner): a worker killed mid-job hands its jobs over once the claim lapses. Raise it if the worker logs
     * "could not renew lock" (its event loop stalled longer than two thirds of this).
     */
    WORKER_LOCK_SECONDS: z.coerce.number().min(1).max(600).default(3),
    /** How often some worker looks for jobs whose claim lapsed (a dead worker's) and re-queues them, in seconds. */
    WORKER_STALLED_CHECK_SECONDS: z.coerce.number().min(0.2).max(600).default(0.5),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(12),
    /** Set to false only behind a TLS-terminating proxy you trust to set Secure itself. */
    COOKIE_SECURE: bool.optional(),
    /** Initial admin account created on first start when no user exists. */
    ADMIN_EMAIL: z.string().email().default('admin@drover.local'),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /** Directory of the built console to serve at /. */
    CONSOLE_DIR: z.string().optional(),
    /** Directory of the agent builds served at /agent/download (default: apps/agent/dist). */
    AGENT_DIST_DIR: z.string().optional(),
  })
  .refine((e) => e.BUNDLE_STORAGE !== 's3' || !!e.S3_BUCKET, {
    message: 'S3_BUCKET is required when BUNDLE_STORAGE=s3',
    path: ['S3_BUCKET'],
  });

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one readable line per problem. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.') || 'environment';
      const msg = i.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : i.message;
      return `${name} ${msg}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}
