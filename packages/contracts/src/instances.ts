// Instances (hosts running drover-agent), their tags, and the registration tokens agents join with.
import { z } from 'zod';
import { NullableTimestamp, ResourceName, Timestamp } from './common';
import { InstanceName, Tag } from './agent-protocol';

export const RegistrationStatus = z.enum(['Registered', 'Deregistered']);
export type RegistrationStatus = z.infer<typeof RegistrationStatus>;
export const OnlineStatus = z.enum(['online', 'offline']);
export type OnlineStatus = z.infer<typeof OnlineStatus>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/** True for `host:port`: a hostname, an IPv4 address or a bracketed IPv6 address, and a port from 1 to 65535. */
export function isTrafficAddress(text: string): boolean {
  const m = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return false;
  const [, host = '', port = ''] = m;
  if (Number(port) < 1 || Number(port) > 65535) return false;
  if (host.startsWith('[')) return isIpv6(host.slice(1, -1));
  if (/^[\d.]+$/.test(host)) return IPV4.test(host);
  return host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
}

/** `host:port` the load balancer sends a host's traffic to: `10.0.0.5:8080`, `web-1.internal:80`, `[fd00::5]:8080`. */
export const TrafficAddress = z
  .string()
  .max(300)
  .refine(
    isTrafficAddress,
    'use host:port: a hostname, an IPv4 address or a bracketed IPv6 address ([fd00::5]), and a port from 1 to 65535',
  );

export const InstalledRevisionInfo = z.object({
  applicationName: z.string(),
  deploymentGroupName: z.string(),
  deploymentGroupId: z.string(),
  revisionId: z.string(),
  deploymentId: z.string(),
  installedAt: Timestamp,
});
export type InstalledRevisionInfo = z.infer<typeof InstalledRevisionInfo>;

export const InstanceInfo = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  registrationStatus: RegistrationStatus,
  /** The agent polled or sent a heartbeat within AGENT_LOST_AFTER_SECONDS (always false once deregistered). */
  online: z.boolean(),
  tags: z.array(Tag),
  hostname: z.string().nullable(),
  platform: z.string().nullable(),
  agentVersion: z.string().nullable(),
  lastSeenAt: NullableTimestamp,
  registerTime: Timestamp,
  deregisterTime: NullableTimestamp,
  /** host:port a load balancer sends this host's traffic to (balancers mapping servers by address); null: not set. */
  trafficAddress: z.string().nullable(),
});
export type InstanceInfo = z.infer<typeof InstanceInfo>;

export const InstanceDetail = InstanceInfo.extend({
  /** The revision this host last installed successfully, per deployment group. */
  installedRevisions: z.array(InstalledRevisionInfo),
});
export type InstanceDetail = z.infer<typeof InstanceDetail>;

/** A query value given once or repeated (?tag=a&tag=b), as a list. */
const repeated = z
  .union([z.string().max(400), z.array(z.string().max(400)).max(20)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const ListInstancesQuery = z.object({
  /** `key=value` (exact) or `key` (any value); repeat for AND. */
  tag: repeated,
  /** Only hosts the group targets now; needs deploymentGroupName too. */
  applicationName: ResourceName.optional(),
  deploymentGroupName: ResourceName.optional(),
  status: OnlineStatus.optional(),
  registrationStatus: RegistrationStatus.optional(),
  /** Name prefix. */
  namePrefix: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListInstancesQuery = z.infer<typeof ListInstancesQuery>;
/** List items carry installedRevisions too, so a fleet view needs no request per host. */
export const InstancePage = z.object({ items: z.array(InstanceDetail), nextCursor: z.string().nullable() });
export type InstancePage = z.infer<typeof InstancePage>;

export const InstanceParams = z.object({ instanceName: InstanceName });
export type InstanceParams = z.infer<typeof InstanceParams>;

/** Adds tags, replacing the value of keys the host already has (AddTagsToOnPremisesInstances). */
export const AddInstanceTagsRequest = z.object({ tags: z.array(Tag).min(1).max(50) });
export type AddInstanceTagsRequest = z.infer<typeof AddInstanceTagsRequest>;
/** PATCH /v1/instances/:instanceName: only the fields given change; `trafficAddress: null` clears it. */
export const UpdateInstanceRequest = z.object({ trafficAddress: TrafficAddress.nullable().optional() });
export type UpdateInstanceRequest = z.infer<typeof UpdateInstanceRequest>;

/** DELETE /v1/instances/:instanceName/tags?key=a&key=b */
export const RemoveInstanceTagsQuery = z.object({
  key: z
    .union([z.string().min(1).max(128), z.array(z.string().min(1).max(128)).min(1).max(50)])
    .transform((v) => (Array.isArray(v) ? v : [v])),
});
export type RemoveInstanceTagsQuery = z.infer<typeof RemoveInstanceTagsQuery>;

// ---------------------------------------------------------------- agent registration tokens (drr_…)

export const MAX_REGISTRATION_TOKEN_HOURS = 720;

export const RegistrationTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  /** Given to every instance that registers with this token; a host can neither drop nor change them. */
  tags: z.array(Tag),
  /** true: a host may add tags of its own beyond these (never change these); false: it may add none. */
  allowExtraTags: z.boolean(),
  /** A glob (* any run of characters, ? one) the instance name must match; null: any name. */
  namePattern: z.string().nullable(),
  /** null: unlimited until expiry or revocation. */
  maxUses: z.number().int().nullable(),
  usedCount: z.number().int(),
  createdBy: z.object({ id: z.string(), email: z.string() }).nullable(),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
});
export type RegistrationTokenInfo = z.infer<typeof RegistrationTokenInfo>;

export const CreateRegistrationTokenRequest = z.object({
  name: z.string().trim().min(1).max(100),
  tags: z.array(Tag).max(50).default([]),
  allowExtraTags: z.boolean().default(false),
  namePattern: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._*?-]+$/, 'letters, digits, . _ - and the wildcards * and ?')
    .optional(),
  maxUses: z.number().int().min(1).max(1_000_000).optional(),
  /** Default 24 hours, at most 720 (30 days). */
  expiresInHours: z.number().int().min(1).max(MAX_REGISTRATION_TOKEN_HOURS).default(24),
});
export type CreateRegistrationTokenRequest = z.infer<typeof CreateRegistrationTokenRequest>;

export const CreateRegistrationTokenResponse = RegistrationTokenInfo.extend({
  /** The secret (drr_…): shown only in this answer. Give it to drover-agent register. */
  token: z.string(),
});
export type CreateRegistrationTokenResponse = z.infer<typeof CreateRegistrationTokenResponse>;

export const RegistrationTokenParams = z.object({ tokenId: z.string().uuid() });
export const ListRegistrationTokensQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const RegistrationTokenPage = z.object({
  items: z.array(RegistrationTokenInfo),
  nextCursor: z.string().nullable(),
});
export type RegistrationTokenPage = z.infer<typeof RegistrationTokenPage>;
