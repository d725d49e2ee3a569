// Deployment configurations: how many hosts must stay healthy while a deployment runs (codedeploy.md §4.1).
import type { MinimumHealthyHostsType, TrafficRoutingConfig } from '@drover/contracts';

export type MinimumHealthyHosts = { type: MinimumHealthyHostsType; value: number };

export type PredefinedConfigName =
  | 'OneAtATime'
  | 'HalfAtATime'
  | 'AllAtOnce'
  | `Canary10Percent${5 | 10 | 15 | 30}Minutes`
  | 'Linear10PercentEvery1Minute'
  | `Linear10PercentEvery${2 | 3 | 10}Minutes`;

export interface PredefinedConfig {
  readonly name: PredefinedConfigName;
  readonly minimumHealthyHosts: Readonly<MinimumHealthyHosts>;
  /** Canary/linear shifting for blue/green behind a load balancer; null: traffic moves all at once. */
  readonly trafficRoutingConfig: Readonly<TrafficRoutingConfig> | null;
}

const predefined = (name: PredefinedConfigName, type: MinimumHealthyHostsType, value: number): PredefinedConfig =>
  Object.freeze({ name, minimumHealthyHosts: Object.freeze({ type, value }), trafficRoutingConfig: null });

// The traffic-shifting configs CodeDeploy predefines for ECS and Lambda, for blue/green servers behind a balancer.
// The replacement hosts carry no traffic while they install, so they install all at once (HOST_COUNT 0).
const canary = (minutes: 5 | 10 | 15 | 30): PredefinedConfig =>
  Object.freeze({
    name: `Canary10Percent${minutes}Minutes` as const,
    minimumHealthyHosts: Object.freeze({ type: 'HOST_COUNT' as const, value: 0 }),
    trafficRoutingConfig: Object.freeze({
      type: 'TimeBasedCanary' as const,
      timeBasedCanary: Object.freeze({ canaryPercentage: 10, canaryInterval: minutes }),
    }),
  });
const linear = (minutes: 1 | 2 | 3 | 10): PredefinedConfig =>
  Object.freeze({
    name: minutes === 1 ? ('Linear10PercentEvery1Minute' as const) : (`Linear10PercentEvery${minutes}Minutes` as const),
    minimumHealthyHosts: Object.freeze({ type: 'HOST_COUNT' as const, value: 0 }),
    trafficRoutingConfig: Object.freeze({
      type: 'TimeBasedLinear' as const,
      timeBasedLinear: Object.freeze({ linearPercentage: 10, linearInterval: minutes }),
    }),
  });

export const PREDEFINED_CONFIGS: readonly PredefinedConfig[] = Object.freeze([
  // CodeDeploy reports OneAtATime as MOST_CONCURRENCY 1: one host at a time, everyone else must stay healthy.
  predefined('OneAtATime', 'MOST_CONCURRENCY', 1),
  predefined('HalfAtATime', 'FLEET_PERCENT', 50),
  predefined('AllAtOnce', 'HOST_COUNT', 0),
  canary(5),
  canary(10),
  canary(15),
  canary(30),
  linear(1),
  linear(2),
  linear(3),
  linear(10),
]);

/** Used when a deployment and its group name no configuration (CodeDeploy's default too). */
export const DEFAULT_CONFIG_NAME: PredefinedConfigName = 'OneAtATime';

/** CodeDeploy spells the predefined configs `CodeDeployDefault.<Name>`; we accept that spelling for drop-in scripts. */
const CODEDEPLOY_PREFIX = 'CodeDeployDefault.';

/**
 * `CodeDeployDefault.OneAtATime` → `OneAtATime`, and CodeDeploy's ECS/Lambda shifting names to ours
 * (`CodeDeployDefault.ECSCanary10Percent5Minutes`, `…LambdaLinear10PercentEvery1Minute`); any other name unchanged.
 */
export function canonicalConfigName(name: string): string {
  if (!name.startsWith(CODEDEPLOY_PREFIX)) return name;
  const short = name.slice(CODEDEPLOY_PREFIX.length);
  if (PREDEFINED_CONFIGS.some((c) => c.name === short)) return short;
  const platformless = short.replace(/^(ECS|Lambda)(?=Canary|Linear)/, '');
  return PREDEFINED_CONFIGS.some((c) => c.name === platformless && c.trafficRoutingConfig) ? platformless : name;
}

/** True for a predefined name in either spelling (`OneAtATime` or `CodeDeployDefault.OneAtATime`). */
export function isPredefinedConfigName(name: string): boolean {
  return findPredefinedConfig(name) !== undefined;
}

/** The predefined config for a name in either spelling, or undefined. */
export function findPredefinedConfig(name: string): PredefinedConfig | undefined {
  const canonical = canonicalConfigName(name);
  return PREDEFINED_CONFIGS.find((c) => c.name === canonical);
}

/** Validates a user-defined minimum: an error message, or null when valid. */
export function validateCustomMinimumHealthyHosts(mhh: MinimumHealthyHosts): string | null {
  const { type, value } = mhh;
  switch (type) {
    case 'HOST_COUNT':
      return Number.isInteger(value) && value >= 0 ? null : 'HOST_COUNT must be a whole number of hosts, 0 or more';
    case 'FLEET_PERCENT':
      // 100% would leave no host that may be taken out of service, so CodeDeploy caps it at 99.
      return Number.isInteger(value) && value >= 0 && value <= 99
        ? null
        : 'FLEET_PERCENT must be a whole percentage from 0 to 99';
    case 'MOST_CONCURRENCY':
      return 'MOST_CONCURRENCY is reserved for OneAtATime and cannot be used in a custom configuration';
    default:
      return `unknown minimum healthy hosts type: ${String(type)}`;
  }
}

/** How many of `hostCount` hosts must stay healthy throughout the deployment. */
export function minimumHealthyCount(mhh: MinimumHealthyHosts, hostCount: number): number {
  switch (mhh.type) {
    case 'HOST_COUNT':
      return mhh.value;
    case 'FLEET_PERCENT':
      // CodeDeploy converts the percentage to hosts at deployment start, rounding UP (10 × 95% → 10).
      return Math.ceil((hostCount * mhh.value) / 100);
    case 'MOST_CONCURRENCY':
      // Only OneAtATime (value 1) uses this type: all hosts but the one being deployed stay healthy.
      return Math.max(hostCount - 1, 0);
  }
}
