// drover apps: list, get, create, rename, delete applications.
import { Command } from 'commander';
import { fields, table, time } from '../output/format';
import { action, confirm, listOptions, listPage, ok, type ListOpts, type RunState } from './shared';
import type { Io } from '../io';

export function appsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('apps')
    .alias('app')
    .description('Applications: the named home of deployment groups, revisions and deployments');

  listOptions(cmd.command('list').alias('ls').description('List applications'), 100).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.applications.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No applications yet. Create one: drover apps create <name>'
          : table(
              ['NAME', 'CREATED', 'UPDATED'],
              page.items.map((a) => [a.applicationName, time(a.createTime), time(a.updateTime)]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description('Show one application')
    .action(
      action(io, state, async (ctx, [name]) => {
        const app = await (await ctx.client()).applications.get(name!);
        ctx.emit(app, () =>
          fields(
            [
              ['Name', app.applicationName],
              ['Id', app.applicationId],
              ['Platform', app.computePlatform],
              ['Created', time(app.createTime)],
              ['Updated', time(app.updateTime)],
            ],
            ctx.io.out,
          ),
        );
      }),
    );

  cmd
    .command('create <name>')
    .description('Create an application')
    .action(
      action(io, state, async (ctx, [name]) => {
        const app = await (await ctx.client()).applications.create({ applicationName: name! });
        ctx.emit(
          app,
          () =>
            `Created application ${app.applicationName}. Next: drover groups create --app ${app.applicationName} <group> --tag env=prod`,
        );
      }),
    );

  cmd
    .command('rename <name> <new-name>')
    .alias('update')
    .description('Rename an application')
    .action(
      action(io, state, async (ctx, [name, newName]) => {
        const app = await (await ctx.client()).applications.update(name!, { newApplicationName: newName! });
        ctx.emit(app, () => `Renamed application ${name} to ${app.applicationName}`);
      }),
    );

  cmd
    .command('delete <name>')
    .alias('rm')
    .description('Delete an application with its groups, revisions and finished deployments')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(
          ctx,
          `Delete application ${name} with its deployment groups, revisions and deployments?`,
          opts.yes,
        );
        await client.applications.delete(name!);
        ctx.emit(ok, () => `Deleted application ${name}`);
      }),
    );

  return cmd;
}
