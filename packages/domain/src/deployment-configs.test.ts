import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalConfigName,
  DEFAULT_CONFIG_NAME,
  findPredefinedConfig,
  isPredefinedConfigName,
  minimumHealthyCount,
  PREDEFINED_CONFIGS,
  validateCustomMinimumHealthyHosts,
  type MinimumHealthyHosts,
} from './deployment-configs';

describe('predefined configs', () => {
  it('defines the three server configs exactly as CodeDeploy reports them', () => {
    expect(PREDEFINED_CONFIGS.slice(0, 3)).toEqual([
      { name: 'OneAtATime', minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 }, trafficRoutingConfig: null },
      { name: 'HalfAtATime', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 }, trafficRoutingConfig: null },
      { name: 'AllAtOnce', minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 }, trafficRoutingConfig: null },
    ]);
    expect(DEFAULT_CONFIG_NAME).toBe('OneAtATime');
  });

  it('adds the canary and linear configs CodeDeploy predefines for ECS and Lambda, installing all at once', () => {
    const shifting = PREDEFINED_CONFIGS.slice(3);
    expect(shifting.map((c) => c.name)).toEqual([
      'Canary10Percent5Minutes',
      'Canary10Percent10Minutes',
      'Canary10Percent15Minutes',
      'Canary10Percent30Minutes',
      'Linear10PercentEvery1Minute',
      'Linear10PercentEvery2Minutes',
      'Linear10PercentEvery3Minutes',
      'Linear10PercentEvery10Minutes',
    ]);
    expect(findPredefinedConfig('Canary10Percent15Minutes')?.trafficRoutingConfig).toEqual({
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 10, canaryInterval: 15 },
    });
    expect(findPredefinedConfig('Linear10PercentEvery3Minutes')?.trafficRoutingConfig).toEqual({
      type: 'TimeBasedLinear',
      timeBasedLinear: { linearPercentage: 10, linearInterval: 3 },
    });
    for (const c of shifting) expect(c.minimumHealthyHosts).toEqual({ type: 'HOST_COUNT', value: 0 });
  });

  it('is frozen so no caller can change a shared config', () => {
    expect(Object.isFrozen(PREDEFINED_CONFIGS)).toBe(true);
    for (const config of PREDEFINED_CONFIGS) {
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.minimumHealthyHosts)).toBe(true);
    }
  });
});

describe('canonicalConfigName / isPredefinedConfigName', () => {
  it.each([
    ['CodeDeployDefault.OneAtATime', 'OneAtATime', true],
    ['CodeDeployDefault.HalfAtATime', 'HalfAtATime', true],
    ['CodeDeployDefault.AllAtOnce', 'AllAtOnce', true],
    ['OneAtATime', 'OneAtATime', true],
    ['HalfAtATime', 'HalfAtATime', true],
    ['AllAtOnce', 'AllAtOnce', true],
    ['CodeDeployDefault.LambdaAllAtOnce', 'CodeDeployDefault.LambdaAllAtOnce', false],
    ['CodeDeployDefault.ECSCanary10Percent5Minutes', 'Canary10Percent5Minutes', true],
    ['CodeDeployDefault.LambdaCanary10Percent30Minutes', 'Canary10Percent30Minutes', true],
    ['CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 'Linear10PercentEvery1Minute', true],
    ['CodeDeployDefault.Canary10Percent5Minutes', 'Canary10Percent5Minutes', true],
    ['CodeDeployDefault.ECSOneAtATime', 'CodeDeployDefault.ECSOneAtATime', false],
    ['CodeDeployDefault.LambdaCanary10Percent7Minutes', 'CodeDeployDefault.LambdaCanary10Percent7Minutes', false],
    ['CodeDeployDefault.', 'CodeDeployDefault.', false],
    ['my-custom-config', 'my-custom-config', false],
    ['codedeploydefault.OneAtATime', 'codedeploydefault.OneAtATime', false],
    ['oneatatime', 'oneatatime', false],
    ['', '', false],
  ])('%j → %j (predefined: %s)', (name, canonical, predefined) => {
    expect(canonicalConfigName(name)).toBe(canonical);
    expect(isPredefinedConfigName(name)).toBe(predefined);
    expect(findPredefinedConfig(name)?.name).toBe(predefined ? canonical : undefined);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (name) => canonicalConfigName(canonicalConfigName(name)) === canonicalConfigName(name)),
    );
  });
});

describe('validateCustomMinimumHealthyHosts', () => {
  const valid: MinimumHealthyHosts[] = [
    { type: 'HOST_COUNT', value: 0 },
    { type: 'HOST_COUNT', value: 1 },
    { type: 'HOST_COUNT', value: 500 },
    { type: 'FLEET_PERCENT', value: 0 },
    { type: 'FLEET_PERCENT', value: 50 },
    { type: 'FLEET_PERCENT', value: 99 },
  ];
  const invalid: [MinimumHealthyHosts, RegExp][] = [
    [{ type: 'HOST_COUNT', value: -1 }, /HOST_COUNT/],
    [{ type: 'HOST_COUNT', value: 1.5 }, /HOST_COUNT/],
    [{ type: 'HOST_COUNT', value: Number.NaN }, /HOST_COUNT/],
    [{ type: 'HOST_COUNT', value: Number.POSITIVE_INFINITY }, /HOST_COUNT/],
    [{ type: 'FLEET_PERCENT', value: 100 }, /FLEET_PERCENT/],
    [{ type: 'FLEET_PERCENT', value: -1 }, /FLEET_PERCENT/],
    [{ type: 'FLEET_PERCENT', value: 12.5 }, /FLEET_PERCENT/],
    [{ type: 'MOST_CONCURRENCY', value: 1 }, /MOST_CONCURRENCY/],
    [{ type: 'MOST_CONCURRENCY', value: 2 }, /MOST_CONCURRENCY/],
  ];

  it.each(valid)('accepts %j', (mhh) => {
    expect(validateCustomMinimumHealthyHosts(mhh)).toBeNull();
  });

  it.each(invalid)('rejects %j', (mhh, message) => {
    expect(validateCustomMinimumHealthyHosts(mhh)).toMatch(message);
  });

  it('rejects a type it does not know (input that bypassed the schema)', () => {
    const bogus = { type: 'BOGUS', value: 1 } as unknown as MinimumHealthyHosts;
    expect(validateCustomMinimumHealthyHosts(bogus)).toMatch(/unknown/);
  });
});

describe('minimumHealthyCount', () => {
  it.each([
    // [type, value, hosts, expected]
    ['HOST_COUNT', 9, 10, 9],
    ['HOST_COUNT', 0, 10, 0],
    ['HOST_COUNT', 6, 9, 6],
    ['HOST_COUNT', 12, 10, 12],
    ['FLEET_PERCENT', 95, 10, 10],
    ['FLEET_PERCENT', 90, 10, 9],
    ['FLEET_PERCENT', 85, 10, 9],
    ['FLEET_PERCENT', 80, 10, 8],
    ['FLEET_PERCENT', 50, 9, 5],
    ['FLEET_PERCENT', 40, 9, 4],
    ['FLEET_PERCENT', 0, 9, 0],
    ['FLEET_PERCENT', 99, 1, 1],
    ['FLEET_PERCENT', 50, 0, 0],
    ['MOST_CONCURRENCY', 1, 10, 9],
    ['MOST_CONCURRENCY', 1, 1, 0],
    ['MOST_CONCURRENCY', 1, 0, 0],
  ] as const)('%s %d of %d hosts → %d', (type, value, hosts, expected) => {
    expect(minimumHealthyCount({ type, value }, hosts)).toBe(expected);
  });

  it('FLEET_PERCENT always rounds up to a whole host and never exceeds the fleet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 99 }), (n, pct) => {
        const m = minimumHealthyCount({ type: 'FLEET_PERCENT', value: pct }, n);
        return Number.isInteger(m) && m >= (n * pct) / 100 && m - 1 < (n * pct) / 100 && m <= n;
      }),
      { numRuns: 2_000 },
    );
  });
});
