// drover agent-upgrades: upgrade hosts' agents to the server's build (admin) and follow it. `create` waits by
// default, printing each host as it changes, and exits 1 when any host failed; --no-wait returns at once.
import { CreateAgentUpgradeRequest, type AgentUpgradeInfo } from '@drover/contracts';
import { Command } from 'commander';
import type { DroverClient } from '@drover/client';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';
import { fields, status, table, time } from '../output/format';
import type { Io } from '../io';
import { checkRequest } from './request-file';
import { action, listOptions, listPage, positiveInt, type ListOpts, type RunState } from './shared';

interface CreateOpts {
  outdated?: boolean;
  wait: boolean;
  timeout?: number;
}

const hostsTable = (u: AgentUpgradeInfo, ctx: Context) =>
  table(
    ['HOST', 'FROM', 'STATUS', 'ATTEMPTS', 'MESSAGE'],
    u.targets.map((t) => [
      t.instanceName,
      t.fromVersion ?? '-',
      status(t.status, ctx.io.out),
      String(t.attempts),
      t.message ?? '',
    ]),
    ctx.io.out,
  );

const summary = (u: AgentUpgradeInfo) =>
  `${u.counts.succeeded} succeeded, ${u.counts.failed} failed, ${u.counts.pending + u.counts.sent} in progress`;

/** Polls until the upgrade ends, noting each host's change on stderr; resolves with the final state. */
async function follow(ctx: Context, client: DroverClient, first: AgentUpgradeInfo, timeoutS: number) {
  const seen = new Map(first.targets.map((t) => [t.instanceId, t.status]));
  const deadline = Date.now() + timeoutS * 1000;
  let u = first;
  while (u.status === 'InProgress') {
    if (Date.now() > deadline) {
      throw new CliError(`upgrade ${u.upgradeId} still in progress after ${timeoutS} s (${summary(u)})`, {
        hint: `follow it with \`drover agent-upgrades get ${u.upgradeId}\`; offline hosts upgrade when they come back`,
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    u = await client.agentUpgrades.get(u.upgradeId);
    for (const t of u.targets) {
      if (seen.get(t.instanceId) === t.status) continue;
      seen.set(t.instanceId, t.status);
      ctx.note(`${t.instanceName}: ${t.status}${t.message ? ` (${t.message})` : ''}`);
    }
  }
  return u;
}

export function agentUpgradesCommand(io: Io, state: RunState): Command {
  const cmd = new Command('agent-upgrades')
    .alias('agent-upgrade')
    .description("Upgrade hosts' agents to this server's build, and follow upgrades");

  cmd
    .command('create [names...]')
    .description(
      "Upgrade the named hosts' agents (or every outdated one with --outdated) to the build GET /agent/download offers",
    )
    .option('--outdated', "every registered host whose agent is not the server's build")
    .option('--no-wait', 'return once the upgrade is recorded instead of following it')
    .option('--timeout <seconds>', 'with waiting: give up following after this long (default 600)', positiveInt)
    .action(
      action<CreateOpts>(io, state, async (ctx, args, opts) => {
        const names = args;
        if (opts.outdated && names.length) throw new UsageError('give host names or --outdated, not both');
        if (!opts.outdated && !names.length) throw new UsageError('name the hosts to upgrade, or pass --outdated');
        const body = checkRequest(
          CreateAgentUpgradeRequest,
          opts.outdated ? { allOutdated: true } : { instanceNames: names },
          'agent upgrade',
        );
        const client = await ctx.client();
        const created = await client.agentUpgrades.create(body);
        ctx.note(
          `upgrading ${created.targets.length} agent(s) to ${created.targetVersion} (upgrade ${created.upgradeId})` +
            (created.alreadyCurrent.length ? `; already on it: ${created.alreadyCurrent.join(', ')}` : ''),
        );
        const final = opts.wait ? await follow(ctx, client, created, opts.timeout ?? 600) : created;
        ctx.emit(final, () => [...hostsTable(final, ctx), '', `${final.status}: ${summary(final)}`]);
        if (final.status === 'Failed') {
          throw new CliError(`${final.counts.failed} host(s) did not upgrade`, {
            hint: 'the MESSAGE column says why; the agents that failed keep running their current version',
          });
        }
      }),
    );

  cmd
    .command('get <upgradeId>')
    .description('Show an upgrade and each host in it')
    .action(
      action(io, state, async (ctx, [id]) => {
        const u = await (await ctx.client()).agentUpgrades.get(id!);
        ctx.emit(u, () => [
          ...fields(
            [
              ['Upgrade', u.upgradeId],
              ['Version', u.targetVersion],
              ['Status', status(u.status, ctx.io.out)],
              ['Hosts', summary(u)],
              ['Created', `${time(u.createdAt)} by ${u.createdBy}`],
            ],
            ctx.io.out,
          ),
          '',
          ...hostsTable(u, ctx),
        ]);
      }),
    );

  listOptions(cmd.command('list').alias('ls').description('Upgrades, newest first'), 20).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.agentUpgrades.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No agent upgrades yet. Start one with `drover agent-upgrades create --outdated`.'
          : table(
              ['UPGRADE', 'VERSION', 'STATUS', 'HOSTS', 'CREATED'],
              page.items.map((u) => [
                u.upgradeId,
                u.targetVersion,
                status(u.status, ctx.io.out),
                summary(u),
                time(u.createdAt),
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  return cmd;
}
