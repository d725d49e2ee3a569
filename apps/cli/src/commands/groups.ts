// drover groups: deployment groups (which hosts an application deploys to, and how).
import {
  CreateDeploymentGroupRequest,
  OutdatedInstancesStrategy,
  UpdateDeploymentGroupRequest,
  type DeploymentGroupInfo,
  type TagFilter,
} from '@drover/contracts';
import { Command, Option } from 'commander';
import { fields, status, table, time } from '../output/format';
import type { Io } from '../io';
import { checkRequest, defined, readRequestFile } from './request-file';
import { action, collect, confirm, listOptions, listPage, ok, tagFilter, type ListOpts, type RunState } from './shared';

interface GroupFlags {
  app: string;
  config?: string;
  tag?: string[];
  tagSet?: string[];
  instance?: string[];
  autoRollback?: boolean;
  outdatedInstances?: 'UPDATE' | 'IGNORE';
  fromFile?: string;
}

const filterText = (f: TagFilter) =>
  f.type === 'KEY_ONLY' ? f.key : f.type === 'VALUE_ONLY' ? `=${f.value}` : `${f.key}=${f.value}`;

export function targetsText(g: Pick<DeploymentGroupInfo, 'tagFilters' | 'tagSet' | 'instanceNames'>): string {
  const parts: string[] = [];
  if (g.tagFilters.length) parts.push(g.tagFilters.map(filterText).join(' or '));
  if (g.tagSet?.length) parts.push(g.tagSet.map((grp) => `(${grp.map(filterText).join(' or ')})`).join(' and '));
  if (g.instanceNames.length) parts.push(`named ${g.instanceNames.join(',')}`);
  return parts.join('; ') || '-';
}

function settingsFromFlags(o: GroupFlags) {
  return defined({
    deploymentConfigName: o.config,
    tagFilters: o.tag?.map(tagFilter),
    tagSet: o.tagSet?.map((grp) => grp.split(',').map((f) => tagFilter(f.trim()))),
    instanceNames: o.instance,
    autoRollbackConfiguration:
      o.autoRollback === undefined
        ? undefined
        : { enabled: o.autoRollback, events: o.autoRollback ? ['DEPLOYMENT_FAILURE' as const] : [] },
    outdatedInstancesStrategy: o.outdatedInstances,
  });
}

function settingOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-a, --app <name>', 'application')
    .option('--config <name>', 'deployment config (OneAtATime, HalfAtATime, AllAtOnce or a custom one)')
    .option('--tag <filter>', 'target hosts with this tag: key=value, key or =value (repeat: any of them)', collect)
    .option(
      '--tag-set <filters>',
      'a group of comma-separated filters; hosts must match one of every group (repeat)',
      collect,
    )
    .option('--instance <name>', 'target this host by name (repeat)', collect)
    .option('--auto-rollback', 'roll back automatically when a deployment fails')
    .option('--no-auto-rollback', 'no automatic rollback')
    .addOption(
      new Option('--outdated-instances <strategy>', 'hosts that join during a deployment').choices(
        OutdatedInstancesStrategy.options,
      ),
    )
    .option('-f, --from-file <file>', 'request body as JSON or YAML (- for stdin); flags override its fields');
}

export function groupsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('groups')
    .alias('group')
    .description('Deployment groups: which hosts an application deploys to, and how');

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description("List an application's deployment groups")
      .requiredOption('-a, --app <name>', 'application'),
    100,
  ).action(
    action<ListOpts & { app: string }>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.deploymentGroups.list(opts.app, { cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? `No deployment groups in ${opts.app}. Create one: drover groups create --app ${opts.app} <group> --tag env=prod`
          : table(
              ['NAME', 'CONFIG', 'TARGETS', 'LAST DEPLOYMENT'],
              page.items.map((g) => [
                g.deploymentGroupName,
                g.deploymentConfigName,
                targetsText(g),
                g.lastAttemptedDeployment
                  ? `${g.lastAttemptedDeployment.deploymentId} ${status(g.lastAttemptedDeployment.status, ctx.io.out)}`
                  : '-',
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <group>')
    .description('Show a deployment group with the hosts it targets now')
    .requiredOption('-a, --app <name>', 'application')
    .action(
      action<{ app: string }>(io, state, async (ctx, [name], opts) => {
        const g = await (await ctx.client()).deploymentGroups.get(opts.app, name!);
        const c = ctx.io.out;
        ctx.emit(g, () => [
          ...fields(
            [
              ['Name', g.deploymentGroupName],
              ['Application', g.applicationName],
              ['Config', g.deploymentConfigName],
              ['Targets', targetsText(g)],
              [
                'Auto-rollback',
                g.autoRollbackConfiguration?.enabled ? g.autoRollbackConfiguration.events.join(',') : 'off',
              ],
              ['Outdated hosts', g.outdatedInstancesStrategy],
              [
                'Last success',
                g.lastSuccessfulDeployment
                  ? `${g.lastSuccessfulDeployment.deploymentId} ${time(g.lastSuccessfulDeployment.endTime)}`
                  : null,
              ],
              [
                'Last attempt',
                g.lastAttemptedDeployment
                  ? `${g.lastAttemptedDeployment.deploymentId} ${status(g.lastAttemptedDeployment.status, c)}`
                  : null,
              ],
              ['Created', time(g.createTime)],
            ],
            c,
          ),
          '',
          ...(g.instances.length
            ? table(
                ['HOST', 'AGENT', 'LAST SEEN', 'INSTALLED REVISION'],
                g.instances.map((i) => [
                  i.instanceName,
                  status(i.online ? 'online' : 'offline', c),
                  time(i.lastSeenAt),
                  i.installedRevision?.revisionId ?? '-',
                ]),
                c,
              )
            : ['No hosts match this group yet.']),
        ]);
      }),
    );

  settingOptions(cmd.command('create <group>').description('Create a deployment group')).action(
    action<GroupFlags>(io, state, async (ctx, [name], opts) => {
      const body = checkRequest(
        CreateDeploymentGroupRequest,
        { ...(await readRequestFile(ctx.io, opts.fromFile)), deploymentGroupName: name, ...settingsFromFlags(opts) },
        'deployment group',
      );
      const g = await (await ctx.client()).deploymentGroups.create(opts.app, body);
      ctx.emit(
        g,
        () =>
          `Created deployment group ${g.applicationName}/${g.deploymentGroupName} (${g.deploymentConfigName}; targets ${targetsText(g)})`,
      );
    }),
  );

  settingOptions(cmd.command('update <group>').description('Change a deployment group (only what you give changes)'))
    .option('--rename <new-name>', 'new name for the group')
    .action(
      action<GroupFlags & { rename?: string }>(io, state, async (ctx, [name], opts) => {
        const flags = settingsFromFlags(opts);
        // Switching between tag filters and a tag set: the API wants the other one cleared in the same request.
        const switching =
          flags.tagFilters && !flags.tagSet
            ? { tagSet: null }
            : flags.tagSet && !flags.tagFilters
              ? { tagFilters: [] }
              : {};
        const body = checkRequest(
          UpdateDeploymentGroupRequest,
          {
            ...(await readRequestFile(ctx.io, opts.fromFile)),
            ...switching,
            ...flags,
            ...defined({ newDeploymentGroupName: opts.rename }),
          },
          'deployment group update',
        );
        const g = await (await ctx.client()).deploymentGroups.update(opts.app, name!, body);
        ctx.emit(
          g,
          () =>
            `Updated deployment group ${g.applicationName}/${g.deploymentGroupName} (${g.deploymentConfigName}; targets ${targetsText(g)})`,
        );
      }),
    );

  cmd
    .command('delete <group>')
    .alias('rm')
    .description('Delete a deployment group and its finished deployments')
    .requiredOption('-a, --app <name>', 'application')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ app: string; yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Delete deployment group ${opts.app}/${name}?`, opts.yes);
        await client.deploymentGroups.delete(opts.app, name!);
        ctx.emit(ok, () => `Deleted deployment group ${opts.app}/${name}`);
      }),
    );

  return cmd;
}
