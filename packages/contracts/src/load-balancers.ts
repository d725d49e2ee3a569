// Load balancers Drover drives during deployments (traffic control): first-class resources that a deployment group's
// loadBalancerInfo names. Two providers: HAProxy through its Runtime API socket, and a user's signed HTTP webhook
// for any other balancer (docs/traffic-webhook-provider.md). A webhook secret is shown once, when created or rotated.
import { z } from 'zod';
import { Cursor, Limit, ResourceName, Timestamp } from './common';

export const LoadBalancerProvider = z.enum(['haproxy', 'webhook']);
export type LoadBalancerProvider = z.infer<typeof LoadBalancerProvider>;

/** `unix:/run/haproxy/admin.sock` or `tcp:127.0.0.1:9999` (the socket needs `level admin`). */
export const HaproxySocket = z
  .string()
  .min(6)
  .max(1024)
  .regex(/^(unix:\/.+|tcp:[^:\s]+:\d{1,5})$/, 'use unix:/path/to/admin.sock or tcp:host:port');

/** A backend (HAProxy) or pool (webhook) name. */
export const BackendName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits and ._:- only');

/** How a host finds its server in a backend: a server named like the instance, or the instance's traffic address. */
export const ServerMapping = z.enum(['instanceName', 'address']);
export type ServerMapping = z.infer<typeof ServerMapping>;

const timing = {
  /** BlockTraffic waits at most this long for a server's in-flight sessions to finish. */
  drainTimeoutSeconds: z.number().int().min(0).max(3600),
  /** AllowTraffic waits at most this long for the balancer's health check to pass. */
  healthTimeoutSeconds: z.number().int().min(1).max(3600),
  /** At the drain timeout, cut the sessions still open and carry on instead of failing BlockTraffic. */
  killSessionsOnDrainTimeout: z.boolean(),
};

const WebhookUrl = z
  .string()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//.test(u), 'http or https only');

export const CreateLoadBalancerRequest = z
  .object({
    loadBalancerName: ResourceName,
    provider: LoadBalancerProvider,
    haproxy: z.object({ socket: HaproxySocket }).optional(),
    webhook: z.object({ url: WebhookUrl }).optional(),
    backends: z.array(BackendName).min(1).max(20),
    serverMapping: ServerMapping.default('instanceName'),
    drainTimeoutSeconds: timing.drainTimeoutSeconds.default(30),
    healthTimeoutSeconds: timing.healthTimeoutSeconds.default(60),
    killSessionsOnDrainTimeout: timing.killSessionsOnDrainTimeout.default(false),
  })
  .superRefine((b, ctx) => {
    if (b.provider === 'haproxy' && !b.haproxy) {
      ctx.addIssue({ code: 'custom', path: ['haproxy'], message: 'required for provider haproxy' });
    }
    if (b.provider === 'webhook' && !b.webhook) {
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'required for provider webhook' });
    }
    if (b.provider === 'haproxy' && b.webhook) {
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'only for provider webhook' });
    }
    if (b.provider === 'webhook' && b.haproxy) {
      ctx.addIssue({ code: 'custom', path: ['haproxy'], message: 'only for provider haproxy' });
    }
    if (new Set(b.backends).size !== b.backends.length) {
      ctx.addIssue({ code: 'custom', path: ['backends'], message: 'names a backend twice' });
    }
  });
export type CreateLoadBalancerRequest = z.infer<typeof CreateLoadBalancerRequest>;

/** Only the fields given change; `rotateWebhookSecret` issues a new secret (shown once in the answer). */
export const UpdateLoadBalancerRequest = z.object({
  haproxy: z.object({ socket: HaproxySocket }).optional(),
  webhook: z.object({ url: WebhookUrl }).optional(),
  backends: z.array(BackendName).min(1).max(20).optional(),
  serverMapping: ServerMapping.optional(),
  drainTimeoutSeconds: timing.drainTimeoutSeconds.optional(),
  healthTimeoutSeconds: timing.healthTimeoutSeconds.optional(),
  killSessionsOnDrainTimeout: timing.killSessionsOnDrainTimeout.optional(),
  rotateWebhookSecret: z.boolean().optional(),
});
export type UpdateLoadBalancerRequest = z.infer<typeof UpdateLoadBalancerRequest>;

export const LoadBalancerInfoResponse = z.object({
  loadBalancerId: z.string(),
  loadBalancerName: z.string(),
  provider: LoadBalancerProvider,
  haproxy: z.object({ socket: z.string() }).nullable(),
  /** The secret itself is never shown again: only its first characters, to tell secrets apart. */
  webhook: z.object({ url: z.string(), secretPrefix: z.string() }).nullable(),
  backends: z.array(z.string()),
  serverMapping: ServerMapping,
  drainTimeoutSeconds: z.number().int(),
  healthTimeoutSeconds: z.number().int(),
  killSessionsOnDrainTimeout: z.boolean(),
  /** Deployment groups whose loadBalancerInfo names this balancer. */
  usedBy: z.array(z.object({ applicationName: z.string(), deploymentGroupName: z.string() })),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type LoadBalancerInfoResponse = z.infer<typeof LoadBalancerInfoResponse>;

/** Create and rotate answers carry the webhook secret once (`whsec_…`, Standard Webhooks). */
export const LoadBalancerWithSecret = LoadBalancerInfoResponse.extend({ webhookSecret: z.string().optional() });
export type LoadBalancerWithSecret = z.infer<typeof LoadBalancerWithSecret>;

export const LoadBalancerParams = z.object({ loadBalancerName: ResourceName });
export type LoadBalancerParams = z.infer<typeof LoadBalancerParams>;
export const ListLoadBalancersQuery = z.object({ cursor: Cursor, limit: Limit });
export type ListLoadBalancersQuery = z.infer<typeof ListLoadBalancersQuery>;
export const LoadBalancerPage = z.object({
  items: z.array(LoadBalancerInfoResponse),
  nextCursor: z.string().nullable(),
});
export type LoadBalancerPage = z.infer<typeof LoadBalancerPage>;

/** The balancer's view of one server, as its provider reads it. */
export const BalancerServer = z.object({
  backend: z.string(),
  server: z.string(),
  status: z.string(),
  adminState: z.enum(['ready', 'drain', 'maint']),
  health: z.enum(['up', 'down', 'unknown']),
  checkStatus: z.string().nullable(),
  sessions: z.number().int(),
  queued: z.number().int(),
  weight: z.number().int(),
  address: z.string().nullable(),
  /** The Drover instance this server maps to, if any. */
  instanceName: z.string().nullable(),
});
export type BalancerServer = z.infer<typeof BalancerServer>;

/** Live state: what the balancer says now, or why it could not be asked. */
export const LoadBalancerStatus = z.object({
  loadBalancerName: z.string(),
  reachable: z.boolean(),
  /** Readable reason when the balancer could not be read. */
  error: z.string().nullable(),
  servers: z.array(BalancerServer),
  readAt: Timestamp,
});
export type LoadBalancerStatus = z.infer<typeof LoadBalancerStatus>;

/** One host's place in a balancer, for previews and the deployment page. */
export const TrafficMapping = z.object({
  instanceName: z.string(),
  loadBalancerName: z.string(),
  backend: z.string(),
  /** The server it maps to, or null when the balancer has none for it. */
  server: z.string().nullable(),
  problem: z.string().nullable(),
});
export type TrafficMapping = z.infer<typeof TrafficMapping>;
