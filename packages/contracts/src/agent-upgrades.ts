// Agent upgrades: the agents of chosen hosts download this server's agent build (GET /agent/download), check its
// sha256, replace themselves and restart, each reporting the new version on its next poll. Like a deployment it is
// an operation with one record per host; a host's agent takes it only when idle, never during a lifecycle event.
import { z } from 'zod';
import { InstanceName } from './agent-protocol';
import { NullableTimestamp, Timestamp } from './common';

export const AgentUpgradeTargetStatus = z.enum(['Pending', 'Sent', 'Succeeded', 'Failed']);
export type AgentUpgradeTargetStatus = z.infer<typeof AgentUpgradeTargetStatus>;
export const AgentUpgradeStatus = z.enum(['InProgress', 'Succeeded', 'Failed']);
export type AgentUpgradeStatus = z.infer<typeof AgentUpgradeStatus>;

/** POST /v1/agent-upgrades: name the hosts, or ask for every registered host whose agent is not this server's build. */
export const CreateAgentUpgradeRequest = z
  .object({
    instanceNames: z.array(InstanceName).min(1).max(1000).optional(),
    allOutdated: z.literal(true).optional(),
  })
  .refine((b) => (b.instanceNames === undefined) !== (b.allOutdated === undefined), {
    message: 'give instanceNames or allOutdated: true (one of them)',
    path: ['instanceNames'],
  });
export type CreateAgentUpgradeRequest = z.infer<typeof CreateAgentUpgradeRequest>;

export const AgentUpgradeTargetInfo = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  fromVersion: z.string().nullable(),
  status: AgentUpgradeTargetStatus,
  /** How many times the upgrade was handed to the agent. */
  attempts: z.number().int().nonnegative(),
  /** Why it failed (the agent's own words where it said), or null. */
  message: z.string().nullable(),
  sentAt: NullableTimestamp,
  endedAt: NullableTimestamp,
});
export type AgentUpgradeTargetInfo = z.infer<typeof AgentUpgradeTargetInfo>;

export const AgentUpgradeInfo = z.object({
  upgradeId: z.string(),
  targetVersion: z.string(),
  status: AgentUpgradeStatus,
  createdAt: Timestamp,
  createdBy: z.string(),
  counts: z.object({
    pending: z.number().int(),
    sent: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  targets: z.array(AgentUpgradeTargetInfo),
});
export type AgentUpgradeInfo = z.infer<typeof AgentUpgradeInfo>;

export const CreateAgentUpgradeResponse = AgentUpgradeInfo.extend({
  /** Chosen hosts left out because their agent already runs targetVersion. */
  alreadyCurrent: z.array(z.string()),
});
export type CreateAgentUpgradeResponse = z.infer<typeof CreateAgentUpgradeResponse>;

export const AgentUpgradePage = z.object({ items: z.array(AgentUpgradeInfo), nextCursor: z.string().nullable() });
export type AgentUpgradePage = z.infer<typeof AgentUpgradePage>;
export const ListAgentUpgradesQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListAgentUpgradesQuery = z.infer<typeof ListAgentUpgradesQuery>;
export const AgentUpgradeParams = z.object({ upgradeId: z.string().uuid() });
