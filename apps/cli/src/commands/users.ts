// drover users (admin): who may log in, with what role where. `grant` replaces a user's roles on single applications
// or groups (--grant app=role, app/group=role); `--scoped-only` leaves the user no role outside them.
import { CreateUserRequest, Role, type RoleGrantInfo, UpdateUserRequest, type UserInfo } from '@drover/contracts';
import type { DroverClient } from '@drover/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors';
import type { Io } from '../io';
import { fields, table, time } from '../output/format';
import { readStdin } from './prompt';
import { checkRequest } from './request-file';
import { action, collect, listOptions, listPage, type ListOpts, type RunState } from './shared';

/** "shop=deployer" or "shop/staging=deployer" → a grant. */
export function grantOf(text: string): RoleGrantInfo {
  const m = /^([^/=]+)(?:\/([^/=]+))?=(viewer|deployer|admin)$/.exec(text);
  if (!m)
    throw new UsageError(`--grant ${text}: write application=role or application/group=role (viewer, deployer, admin)`);
  return { applicationName: m[1]!, deploymentGroupName: m[2] ?? null, role: m[3] as RoleGrantInfo['role'] };
}

/** How grants read in a table or a line: "shop: deployer, shop/staging: admin". */
export function grantsText(grants: readonly RoleGrantInfo[]): string {
  return grants
    .map((g) => `${g.applicationName}${g.deploymentGroupName ? `/${g.deploymentGroupName}` : ''}: ${g.role}`)
    .join(', ');
}

/** The role column: the global role, or "none" when the user acts only through grants. */
const roleText = (u: { role: string; scopedOnly: boolean }) => (u.scopedOnly ? 'none (scoped)' : u.role);

const role = (text: string) => {
  const r = Role.safeParse(text);
  if (!r.success) throw new InvalidArgumentError('use viewer, deployer or admin.');
  return r.data;
};

interface UpdateOpts {
  name?: string;
  role?: Role;
  disable?: boolean;
  enable?: boolean;
  passwordStdin?: boolean;
}

interface CreateOpts {
  name?: string;
  role?: string;
  grant?: string[];
  scopedOnly?: boolean;
  passwordStdin?: boolean;
}

/** Users are named by email on the command line; the API takes their id. */
async function findUser(client: DroverClient, email: string): Promise<UserInfo> {
  const all = await listPage({ all: true }, (cursor, limit) => client.users.list({ cursor, limit }));
  const user = all.items.find((u) => u.email === email.toLowerCase());
  if (!user) throw new UsageError(`no user ${email}`, 'see them with: drover users list');
  return user;
}

async function readPassword(io: Io): Promise<string> {
  const pw = (await readStdin(io)).replace(/\r?\n$/, '');
  if (!pw) throw new UsageError('no password on stdin');
  return pw;
}

function describe(u: UserInfo, out: Io['out']): string[] {
  return fields(
    [
      ['ID', u.id],
      ['Email', u.email],
      ['Role', roleText(u)],
      ['Grants', grantsText(u.grants) || '-'],
      ['Must change password', u.mustChangePassword ? 'yes' : 'no'],
      ['Disabled', u.disabledAt ? time(u.disabledAt) : '-'],
    ],
    out,
  );
}

export function usersCommand(io: Io, state: RunState): Command {
  const cmd = new Command('users')
    .alias('user')
    .description('Users, their roles and their roles per application (admin)');

  listOptions(cmd.command('list').alias('ls').description('List users with their roles and grants'), 100).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.users.list({ cursor, limit }));
      ctx.emit(page, () =>
        table(
          ['EMAIL', 'ROLE', 'GRANTS', 'DISABLED'],
          page.items.map((u) => [
            u.email,
            roleText(u),
            grantsText(u.grants) || '-',
            u.disabledAt ? time(u.disabledAt) : '-',
          ]),
          ctx.io.out,
        ),
      );
    }),
  );

  cmd
    .command('create <email>')
    .description('Create a user; the password is read from stdin and must be changed at the first log-in')
    .option('--name <name>', 'display name (default: the email)')
    .option('--role <role>', 'role everywhere: viewer (default), deployer or admin')
    .option('--grant <application[/group]=role>', 'a role on one application or group (repeat for several)', collect)
    .option('--scoped-only', 'no role outside the grants')
    .requiredOption('--password-stdin', 'read the first password from stdin')
    .action(
      action<CreateOpts>(io, state, async (ctx, [email], opts) => {
        const body = checkRequest(
          CreateUserRequest,
          {
            email,
            name: opts.name ?? email,
            password: await readPassword(ctx.io),
            ...(opts.role ? { role: opts.role } : {}),
            grants: (opts.grant ?? []).map(grantOf),
            scopedOnly: !!opts.scopedOnly,
          },
          'user',
        );
        const created = await (await ctx.client()).users.create(body);
        ctx.emit(created, () => describe(created, ctx.io.out));
      }),
    );

  cmd
    .command('grant <email>')
    .description("Replace a user's roles on single applications or groups (no --grant: remove them all)")
    .option('--grant <application[/group]=role>', 'a role on one application or group (repeat for several)', collect)
    .option('--scoped-only', 'no role outside the grants')
    .option('--global', 'the global role applies again everywhere (undoes --scoped-only)')
    .action(
      action<{ grant?: string[]; scopedOnly?: boolean; global?: boolean }>(io, state, async (ctx, [email], opts) => {
        if (opts.scopedOnly && opts.global) throw new UsageError('--scoped-only and --global contradict each other');
        const client = await ctx.client();
        const user = await findUser(client, email!);
        const body = checkRequest(
          UpdateUserRequest,
          {
            grants: (opts.grant ?? []).map(grantOf),
            ...(opts.scopedOnly ? { scopedOnly: true } : opts.global ? { scopedOnly: false } : {}),
          },
          'user',
        );
        const updated = await client.users.update(user.id, body);
        ctx.emit(updated, () => describe(updated, ctx.io.out));
      }),
    );

  cmd
    .command('get <email>')
    .description('Show a user: role, grants, whether disabled')
    .action(
      action(io, state, async (ctx, [email]) => {
        const user = await findUser(await ctx.client(), email!);
        ctx.emit(user, () => describe(user, ctx.io.out));
      }),
    );

  cmd
    .command('update <email>')
    .description("Change a user's name or global role, disable or enable them, or reset their password")
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role everywhere: viewer, deployer or admin').argParser(role))
    .option('--disable', 'no more log-ins; ends their sessions and stops their API tokens')
    .option('--enable', 'undoes --disable (their tokens work again)')
    .option('--password-stdin', 'a new temporary password from stdin, to be changed at the next log-in')
    .addHelpText(
      'after',
      `
Examples:
  drover users update ada@example.com --role deployer
  drover users update ada@example.com --disable
  echo 'a temporary passphrase' | drover users update ada@example.com --password-stdin`,
    )
    .action(
      action<UpdateOpts>(io, state, async (ctx, [email], opts) => {
        if (opts.disable && opts.enable) throw new UsageError('--disable and --enable contradict each other');
        const body = checkRequest(
          UpdateUserRequest,
          {
            ...(opts.name ? { name: opts.name } : {}),
            ...(opts.role ? { role: opts.role } : {}),
            ...(opts.disable ? { disabled: true } : opts.enable ? { disabled: false } : {}),
            ...(opts.passwordStdin ? { password: await readPassword(ctx.io) } : {}),
          },
          'user',
        );
        const client = await ctx.client();
        const updated = await client.users.update((await findUser(client, email!)).id, body);
        ctx.emit(updated, () => describe(updated, ctx.io.out));
      }),
    );

  return cmd;
}
