// drover configs: deployment configurations (how many hosts must stay healthy while a deployment runs).
import type { MinimumHealthyHosts } from '@drover/contracts';
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
          ['NAME', 'MINIMUM HEALTHY', 'PREDEFINED'],
          page.items.map((c) => [
            c.deploymentConfigName,
            minimumText(c.minimumHealthyHosts),
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
    .addHelpText(
      'after',
      '\nExamples:\n  drover configs create TwoAtATime --min-healthy 2\n  drover configs create NinetyPercent --min-healthy 90%',
    )
    .action(
      action<{ minHealthy: { type: 'HOST_COUNT' | 'FLEET_PERCENT'; value: number } }>(
        io,
        state,
        async (ctx, [name], opts) => {
          const c = await (
            await ctx.client()
          ).deploymentConfigs.create({ deploymentConfigName: name!, minimumHealthyHosts: opts.minHealthy });
          ctx.emit(
            c,
            () =>
              `Created deployment config ${c.deploymentConfigName} (minimum healthy: ${minimumText(c.minimumHealthyHosts)})`,
          );
        },
      ),
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
