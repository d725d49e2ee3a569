// drover configs: deployment configurations (how many hosts must stay healthy while a deployment runs).
import type { MinimumHealthyHosts, TrafficRoutingConfig } from '@drover/contracts';
import { Command, InvalidArgumentError } from 'commander';
import { fields, table, time } from '../output/format';
import type { Io } from '../io';
import { action, confirm, listOptions, listPage, ok, type ListOpts, type RunState } from './shared';

export const minimumText = (m: MinimumHealthyHosts) =>
  m.type === 'FLEET_PERCENT'
    ? `${m.value}% of hosts`
    : m.type === 'HOST_COUNT'
      ? `${m.value} host${m.value === 1 ? '' : 's'}`
      : `one at a time`;

/** `2` → HOST_COUNT 2; `75%` → FLEET_PERCENT 75. */
export function minimumHealthy(text: string): { type: 'HOST_COUNT' | 'FLEET_PERCENT'; value: number } {
  const m = /^(\d+)(%?)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('use a host count (2) or a percentage of the fleet (75%).');
  return { type: m[2] ? 'FLEET_PERCENT' : 'HOST_COUNT', value: Number(m[1]) };
}

/** `20:10m` → 20 % per step, every 10 minutes; `10:30s` → every 30 seconds. */
export function shiftStep(text: string): { percent: number; minutes?: number; seconds?: number } {
  const m = /^(\d{1,2})%?:(\d+)(s|m)$/.exec(text.trim());
  const percent = Number(m?.[1]);
  if (!m || percent < 1 || percent > 99) {
    throw new InvalidArgumentError('use <percent>:<interval>, e.g. 10:5m or 20:30s (percent 1–99).');
  }
  return m[3] === 's' ? { percent, seconds: Number(m[2]) } : { percent, minutes: Number(m[2]) };
}

/** "canary 20 % for 10 min, then all", "linear 10 % every 30 s", "all at once". */
export function routingText(t: TrafficRoutingConfig | null): string {
  const every = (minutes?: number, seconds?: number) =>
    seconds !== undefined ? `${seconds} s` : `${minutes ?? 1} min`;
  if (t?.type === 'TimeBasedCanary' && t.timeBasedCanary) {
    const c = t.timeBasedCanary;
    return `canary ${c.canaryPercentage} % for ${every(c.canaryInterval, c.canaryIntervalSeconds)}, then all`;
  }
  if (t?.type === 'TimeBasedLinear' && t.timeBasedLinear) {
    const l = t.timeBasedLinear;
    return `linear ${l.linearPercentage} % every ${every(l.linearInterval, l.linearIntervalSeconds)}`;
  }
  return 'all at once';
}

function routingOf(opts: { canary?: ReturnType<typeof shiftStep>; linear?: ReturnType<typeof shiftStep> }) {
  if (opts.canary && opts.linear) throw new InvalidArgumentError('give --canary or --linear, not both.');
  if (opts.canary) {
    const c = opts.canary;
    return {
      type: 'TimeBasedCanary' as const,
      timeBasedCanary: {
        canaryPercentage: c.percent,
        ...(c.seconds !== undefined ? { canaryIntervalSeconds: c.seconds } : { canaryInterval: c.minutes }),
      },
    };
  }
  if (opts.linear) {
    const l = opts.linear;
    return {
      type: 'TimeBasedLinear' as const,
      timeBasedLinear: {
        linearPercentage: l.percent,
        ...(l.seconds !== undefined ? { linearIntervalSeconds: l.seconds } : { linearInterval: l.minutes }),
      },
    };
  }
  return undefined;
}

export function configsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('configs')
    .alias('config')
    .description('Deployment configs: the minimum number of healthy hosts during a deployment');

  listOptions(cmd.command('list').alias('ls').description('List deployment configs'), 100).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.deploymentConfigs.list({ cursor, limit }));
      ctx.emit(page, () =>
        table(
          ['NAME', 'MINIMUM HEALTHY', 'TRAFFIC', 'PREDEFINED'],
          page.items.map((c) => [
            c.deploymentConfigName,
            minimumText(c.minimumHealthyHosts),
            routingText(c.trafficRoutingConfig),
            c.predefined ? 'yes' : 'no',
          ]),
          ctx.io.out,
        ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description('Show a deployment config (CodeDeployDefault.* names work too)')
    .action(
      action(io, state, async (ctx, [name]) => {
        const c = await (await ctx.client()).deploymentConfigs.get(name!);
        ctx.emit(c, () =>
          fields(
            [
              ['Name', c.deploymentConfigName],
              [
                'Minimum healthy',
                `${minimumText(c.minimumHealthyHosts)} (${c.minimumHealthyHosts.type} ${c.minimumHealthyHosts.value})`,
              ],
              ['Traffic (blue/green)', routingText(c.trafficRoutingConfig)],
              ['Predefined', c.predefined ? 'yes' : 'no'],
              ['Created', time(c.createTime)],
            ],
            ctx.io.out,
          ),
        );
      }),
    );

  cmd
    .command('create <name>')
    .description('Create a deployment config')
    .requiredOption(
      '--min-healthy <n|n%>',
      'hosts that must stay healthy: a count (2) or a percentage of the fleet (75%)',
      minimumHealthy,
    )
    .option(
      '--canary <percent:interval>',
      'blue/green behind a balancer: this share of traffic first for the interval, then all (e.g. 10:5m, 20:30s)',
      shiftStep,
    )
    .option(
      '--linear <percent:interval>',
      'blue/green behind a balancer: this much more traffic every interval (e.g. 10:1m)',
      shiftStep,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  drover configs create TwoAtATime --min-healthy 2\n  drover configs create NinetyPercent --min-healthy 90%' +
        '\n  drover configs create Canary20 --min-healthy 0 --canary 20:10m',
    )
    .action(
      action<{
        minHealthy: { type: 'HOST_COUNT' | 'FLEET_PERCENT'; value: number };
        canary?: ReturnType<typeof shiftStep>;
        linear?: ReturnType<typeof shiftStep>;
      }>(io, state, async (ctx, [name], opts) => {
        const trafficRoutingConfig = routingOf(opts);
        const c = await (
          await ctx.client()
        ).deploymentConfigs.create({
          deploymentConfigName: name!,
          minimumHealthyHosts: opts.minHealthy,
          ...(trafficRoutingConfig ? { trafficRoutingConfig } : {}),
        });
        ctx.emit(
          c,
          () =>
            `Created deployment config ${c.deploymentConfigName} (minimum healthy: ${minimumText(c.minimumHealthyHosts)}; traffic: ${routingText(c.trafficRoutingConfig)})`,
        );
      }),
    );

  cmd
    .command('delete <name>')
    .alias('rm')
    .description('Delete a custom deployment config')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Delete deployment config ${name}?`, opts.yes);
        await client.deploymentConfigs.delete(name!);
        ctx.emit(ok, () => `Deleted deployment config ${name}`);
      }),
    );

  return cmd;
}
