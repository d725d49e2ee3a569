// drover instances: the hosts running drover-agent, their tags, traffic address, deregistration.
import { OnlineStatus, RegistrationStatus, isTrafficAddress } from '@drover/contracts';
import { Command, Option } from 'commander';
import { fields, status, table, tagText, time } from '../output/format';
import type { Io } from '../io';
import { action, collect, confirm, listOptions, listPage, tag, type ListOpts, type RunState } from './shared';
import { UsageError } from '../errors';

interface ListInstanceOpts extends ListOpts {
  tag?: string[];
  app?: string;
  group?: string;
  status?: 'online' | 'offline';
  registrationStatus?: 'Registered' | 'Deregistered';
  prefix?: string;
}

export function instancesCommand(io: Io, state: RunState): Command {
  const cmd = new Command('instances').alias('instance').description('Hosts running drover-agent, and their tags');

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description('List hosts (filters combine with AND)')
      .option('--tag <key=value|key>', 'hosts with this tag (repeat for several)', collect)
      .option('-a, --app <name>', 'with --group: the hosts that group targets')
      .option('-g, --group <name>', 'with --app: the hosts that group targets')
      .addOption(new Option('--status <status>', 'agent online or offline').choices(OnlineStatus.options))
      .addOption(
        new Option('--registration-status <status>', 'registered or deregistered hosts').choices(
          RegistrationStatus.options,
        ),
      )
      .option('--prefix <text>', 'names starting with this'),
    100,
  ).action(
    action<ListInstanceOpts>(io, state, async (ctx, _args, opts) => {
      if (!opts.app !== !opts.group) throw new UsageError('--app and --group go together');
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) =>
        client.instances.list({
          cursor,
          limit,
          tag: opts.tag,
          applicationName: opts.app,
          deploymentGroupName: opts.group,
          status: opts.status,
          registrationStatus: opts.registrationStatus,
          namePrefix: opts.prefix,
        }),
      );
      const c = ctx.io.out;
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No hosts match. Add one with the line `drover registration-tokens create <name>` prints (docs/agent.md).'
          : table(
              ['NAME', 'AGENT', 'TAGS', 'LAST SEEN', 'VERSION'],
              page.items.map((i) => [
                i.instanceName,
                status(i.registrationStatus === 'Deregistered' ? 'Deregistered' : i.online ? 'online' : 'offline', c),
                tagText(i.tags),
                time(i.lastSeenAt),
                i.agentVersion ?? '-',
              ]),
              c,
            ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description('Show a host: tags, agent, installed revisions')
    .action(
      action(io, state, async (ctx, [name]) => {
        const i = await (await ctx.client()).instances.get(name!);
        const c = ctx.io.out;
        ctx.emit(i, () => [
          ...fields(
            [
              ['Name', i.instanceName],
              [
                'Status',
                status(i.registrationStatus === 'Deregistered' ? 'Deregistered' : i.online ? 'online' : 'offline', c),
              ],
              ['Tags', tagText(i.tags)],
              ['Hostname', i.hostname],
              ['Platform', i.platform],
              ['Agent', i.agentVersion],
              ['Last seen', time(i.lastSeenAt)],
              ['Registered', time(i.registerTime)],
              ['Traffic address', i.trafficAddress],
            ],
            c,
          ),
          ...(i.installedRevisions.length
            ? [
                '',
                ...table(
                  ['APPLICATION', 'GROUP', 'REVISION', 'DEPLOYMENT', 'INSTALLED'],
                  i.installedRevisions.map((r) => [
                    r.applicationName,
                    r.deploymentGroupName,
                    r.revisionId,
                    r.deploymentId,
                    time(r.installedAt),
                  ]),
                  c,
                ),
              ]
            : []),
        ]);
      }),
    );

  cmd
    .command('tag <name> <key=value...>')
    .description('Add tags to a host (a key it already has gets the new value)')
    .action(
      action(io, state, async (ctx, [name, ...tags]) => {
        const i = await (await ctx.client()).instances.addTags(name!, tags.map(tag));
        ctx.emit(i, () => `${i.instanceName}: ${tagText(i.tags)}`);
      }),
    );

  cmd
    .command('untag <name> <key...>')
    .description('Remove tags from a host, by key')
    .action(
      action(io, state, async (ctx, [name, ...keys]) => {
        const i = await (await ctx.client()).instances.removeTags(name!, keys);
        ctx.emit(i, () => `${i.instanceName}: ${tagText(i.tags)}`);
      }),
    );

  cmd
    .command('set-traffic-address <name> [address]')
    .description("Set host:port a load balancer sends this host's traffic to (balancers mapping by address)")
    .option('--clear', 'remove the traffic address')
    .addHelpText(
      'after',
      '\nExamples:\n  drover instance set-traffic-address web-1 10.0.0.5:8080\n  drover instance set-traffic-address web-1 --clear',
    )
    .action(
      action<{ clear?: boolean }>(io, state, async (ctx, [name, address], opts) => {
        if (!address === !opts.clear) throw new UsageError('give a host:port address or --clear (one of them)');
        if (address && !isTrafficAddress(address)) {
          throw new UsageError(
            `"${address}" is not a traffic address`,
            'use host:port: a hostname, an IPv4 address or a bracketed IPv6 address ([fd00::5]), port 1-65535',
          );
        }
        const i = await (await ctx.client()).instances.update(name!, { trafficAddress: address ?? null });
        ctx.emit(i, () =>
          i.trafficAddress
            ? `${i.instanceName}: traffic address ${i.trafficAddress}`
            : `${i.instanceName}: traffic address cleared`,
        );
      }),
    );

  cmd
    .command('deregister <name>')
    .description('Take a host out of every group; its agent credential stops working (admin)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Deregister ${name}?`, opts.yes);
        const i = await client.instances.deregister(name!);
        ctx.emit(i, () => `Deregistered ${i.instanceName}`);
      }),
    );

  return cmd;
}
