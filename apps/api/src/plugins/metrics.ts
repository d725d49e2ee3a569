// Prometheus metrics at GET /metrics (public, like /healthz: counts only, no names or secrets; restrict it at your
// proxy if that matters). HTTP request durations by route template, deployments by status and agents online (read
// from PostgreSQL on scrape, cached 5 s), plus process metrics. Other parts of Drover add their own metrics to the
// exported `metricsRegistry`.
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEPLOYMENT_STATUSES } from '@drover/contracts';
import { z } from 'zod';
import type { ApiContext } from '../context';

/** Metric classes for modules that add their own (without depending on prom-client themselves). */
export { Counter, Gauge } from 'prom-client';

/** The process-wide registry: register gauges/counters here with `registers: [metricsRegistry]`. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'drover_' });

/** Database-derived gauges are recomputed at most this often, however often Prometheus scrapes. */
const SNAPSHOT_TTL_MS = 5_000;

interface Snapshot {
  deployments: Record<string, number>;
  instancesRegistered: number;
  agentsOnline: number;
}

/** Where the gauges read from: the most recently built app (one per process outside tests). */
let source: {
  read: () => Promise<Snapshot>;
  cached: { at: number; value: Promise<Snapshot> } | null;
  /** Long-polls this process holds right now. */
  held: () => number;
} | null = null;

function snapshot(): Promise<Snapshot> | null {
  if (!source) return null;
  const now = Date.now();
  if (!source.cached || now - source.cached.at > SNAPSHOT_TTL_MS) {
    const value = source.read();
    const entry = { at: now, value };
    source.cached = entry;
    // A failed read is not cached: the next scrape tries again.
    value.catch(() => {
      if (source?.cached === entry) source.cached = null;
    });
  }
  return source.cached.value;
}

const httpDuration = new Histogram({
  name: 'drover_http_request_duration_seconds',
  help: 'HTTP request duration by route template, method and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

new Gauge({
  name: 'drover_deployments',
  help: 'Deployments by status',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
  async collect() {
    const s = await snapshot();
    if (!s) return;
    for (const status of DEPLOYMENT_STATUSES) this.set({ status }, s.deployments[status] ?? 0);
  },
});

new Gauge({
  name: 'drover_agents_online',
  help: 'Registered instances whose agent polled within AGENT_LOST_AFTER_SECONDS',
  registers: [metricsRegistry],
  async collect() {
    const s = await snapshot();
    if (s) this.set(s.agentsOnline);
  },
});

new Gauge({
  name: 'drover_instances_registered',
  help: 'Registered (not deregistered) instances',
  registers: [metricsRegistry],
  async collect() {
    const s = await snapshot();
    if (s) this.set(s.instancesRegistered);
  },
});

// Per process, unlike the gauges above: scrape each API process (not through the load balancer) to see how the
// fleet's held polls are spread over them.
new Gauge({
  name: 'drover_agent_polls_held',
  help: 'Agent long-polls this API process is holding open right now',
  registers: [metricsRegistry],
  collect() {
    if (source) this.set(source.held());
  },
});

export async function registerMetrics(app: FastifyInstance, ctx: ApiContext) {
  const { prisma } = ctx.db;
  const mine = {
    cached: null,
    held: () => ctx.waiters.size,
    async read(): Promise<Snapshot> {
      const cutoff = new Date(Date.now() - ctx.env.AGENT_LOST_AFTER_SECONDS * 1000);
      const [byStatus, instancesRegistered, agentsOnline] = await Promise.all([
        prisma.deployment.groupBy({ by: ['status'], _count: { _all: true } }),
        prisma.instance.count({ where: { deregisteredAt: null } }),
        prisma.instance.count({ where: { deregisteredAt: null, lastSeenAt: { gte: cutoff } } }),
      ]);
      return {
        deployments: Object.fromEntries(byStatus.map((r) => [r.status, r._count._all])),
        instancesRegistered,
        agentsOnline,
      };
    },
  };
  source = mine;
  app.addHook('onClose', async () => {
    if (source === mine) source = null;
  });

  app.addHook('onResponse', async (req, reply) => {
    // The route template (never the raw URL) keeps label cardinality bounded; unmatched paths share one label.
    const route = req.routeOptions.url ?? 'unmatched';
    httpDuration.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/metrics',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'getMetrics',
        description: 'Prometheus text exposition format.',
        tags: ['operations'],
        security: [],
        response: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } },
      },
    },
    async (_req, reply) => {
      const body = await metricsRegistry.metrics();
      return reply.type(metricsRegistry.contentType).send(body);
    },
  );
}
