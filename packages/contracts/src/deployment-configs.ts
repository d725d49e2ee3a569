// Deployment configurations: how many hosts must stay healthy during a deployment (CodeDeploy DeploymentConfigInfo).
// OneAtATime, HalfAtATime and AllAtOnce are predefined and read-only; `CodeDeployDefault.<Name>` is accepted as an alias.
import { z } from 'zod';
import { MAX_INT4, Timestamp } from './common';
import { MinimumHealthyHosts } from './deployments';
import { ComputePlatform } from './applications';

/** Config names in URLs and references: a custom name, a predefined one, or its `CodeDeployDefault.` alias. */
export const DeploymentConfigName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._+=,@-]+$/, 'use letters, digits and ._+=,@- only');

/** Settable kinds: MOST_CONCURRENCY is reserved for the predefined OneAtATime. */
export const CustomMinimumHealthyHosts = z.object({
  type: z.enum(['HOST_COUNT', 'FLEET_PERCENT']),
  value: z.number().int().min(0).max(MAX_INT4),
});
export type CustomMinimumHealthyHosts = z.infer<typeof CustomMinimumHealthyHosts>;

export const MinimumHealthyHostsPerZone = z.object({
  type: z.enum(['HOST_COUNT', 'FLEET_PERCENT']),
  value: z.number().int().min(0).max(MAX_INT4),
});

/** Zonal rollout settings: stored now, executed by a later feature. */
export const ZonalConfig = z.object({
  firstZoneMonitorDurationInSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400 * 7)
    .optional(),
  monitorDurationInSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400 * 7)
    .optional(),
  minimumHealthyHostsPerZone: MinimumHealthyHostsPerZone.optional(),
});
export type ZonalConfig = z.infer<typeof ZonalConfig>;

const IntervalMinutes = z.number().int().min(1).max(2880);
/** Drover: an interval in seconds (for steps shorter than CodeDeploy's minute); replaces the minutes when given. */
const IntervalSeconds = z
  .number()
  .int()
  .min(1)
  .max(2880 * 60);

/**
 * How a blue/green deployment behind a load balancer moves traffic to the replacement hosts (CodeDeploy's
 * TrafficRoutingConfig): AllAtOnce, TimeBasedCanary (canaryPercentage for canaryInterval minutes, then the rest) or
 * TimeBasedLinear (linearPercentage more every linearInterval minutes). docs/canary-and-alarms.md.
 */
export const TrafficRoutingConfig = z.object({
  type: z.enum(['TimeBasedCanary', 'TimeBasedLinear', 'AllAtOnce']),
  timeBasedCanary: z
    .object({
      canaryPercentage: z.number().int().min(1).max(99),
      canaryInterval: IntervalMinutes.optional(),
      canaryIntervalSeconds: IntervalSeconds.optional(),
    })
    .refine((c) => c.canaryInterval !== undefined || c.canaryIntervalSeconds !== undefined, {
      message: 'give canaryInterval (minutes) or canaryIntervalSeconds',
      path: ['canaryInterval'],
    })
    .optional(),
  timeBasedLinear: z
    .object({
      linearPercentage: z.number().int().min(1).max(99),
      linearInterval: IntervalMinutes.optional(),
      linearIntervalSeconds: IntervalSeconds.optional(),
    })
    .refine((c) => c.linearInterval !== undefined || c.linearIntervalSeconds !== undefined, {
      message: 'give linearInterval (minutes) or linearIntervalSeconds',
      path: ['linearInterval'],
    })
    .optional(),
});
export type TrafficRoutingConfig = z.infer<typeof TrafficRoutingConfig>;

export const DeploymentConfigInfo = z.object({
  deploymentConfigId: z.string(),
  deploymentConfigName: z.string(),
  minimumHealthyHosts: MinimumHealthyHosts,
  computePlatform: ComputePlatform,
  trafficRoutingConfig: TrafficRoutingConfig.nullable(),
  zonalConfig: ZonalConfig.nullable(),
  /** Predefined configs cannot be changed or deleted. */
  predefined: z.boolean(),
  createTime: Timestamp,
});
export type DeploymentConfigInfo = z.infer<typeof DeploymentConfigInfo>;

export const CreateDeploymentConfigRequest = z.object({
  /** May not start with `CodeDeployDefault.` nor reuse a predefined name. */
  deploymentConfigName: DeploymentConfigName,
  minimumHealthyHosts: CustomMinimumHealthyHosts,
  computePlatform: ComputePlatform.default('Server'),
  trafficRoutingConfig: TrafficRoutingConfig.optional(),
  zonalConfig: ZonalConfig.optional(),
});
export type CreateDeploymentConfigRequest = z.infer<typeof CreateDeploymentConfigRequest>;

export const DeploymentConfigParams = z.object({ deploymentConfigName: DeploymentConfigName });
export type DeploymentConfigParams = z.infer<typeof DeploymentConfigParams>;

export const ListDeploymentConfigsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const DeploymentConfigPage = z.object({
  items: z.array(DeploymentConfigInfo),
  nextCursor: z.string().nullable(),
});
export type DeploymentConfigPage = z.infer<typeof DeploymentConfigPage>;
