// drover tokens: API tokens for scripts and CI. Everyone manages their own; admins see and revoke every token. The
// secret is printed once, by `create`; lists show only its prefix.
import { CreateApiTokenRequest, Role, type ApiTokenInfo } from '@drover/contracts';
import type { DroverClient } from '@drover/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Context } from '../context';
import { UsageError } from '../errors';
import type { Io } from '../io';
import { fields, table, time } from '../output/format';
import { checkRequest } from './request-file';
import { action, collect, confirm, listOptions, listPage, positiveInt, type ListOpts, type RunState } from './shared';
import { grantOf, grantsText } from './users';

const role = (text: string) => {
  const r = Role.safeParse(text);
  if (!r.success) throw new InvalidArgumentError('use viewer, deployer or admin.');
  return r.data;
};

const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role column: the role, or "scoped" when the token acts only through its grants. */
const roleText = (t: ApiTokenInfo) => (t.scopedOnly ? `${t.role} (scoped)` : t.role);

interface CreateOpts {
  role?: Role;
  grant?: string[];
  scopedOnly?: boolean;
  days?: number;
}

function describe(t: ApiTokenInfo, ctx: Context): string[] {
  return fields(
    [
      ['ID', t.id],
      ['Name', t.name],
      ['Prefix', t.prefix],
      ['Role', roleText(t)],
      ['Grants', grantsText(t.grants) || '-'],
      ['Expires', t.expiresAt ? time(t.expiresAt) : 'never'],
    ],
    ctx.io.out,
  );
}

/** A token by id, or by its name or prefix among the caller's live tokens (one match only). */
async function resolveToken(client: DroverClient, ref: string): Promise<ApiTokenInfo | string> {
  if (UUID.test(ref)) return ref;
  const all = await listPage({ all: true }, (cursor, limit) => client.apiTokens.list({ cursor, limit }));
  const matches = all.items.filter((t) => t.name === ref || t.prefix === ref);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new UsageError(`no live token named or prefixed "${ref}"`, 'see them with: drover tokens list');
  throw new UsageError(
    `${matches.length} tokens are named "${ref}"`,
    `give the id: ${matches.map((t) => t.id).join(', ')}`,
  );
}

export function tokensCommand(io: Io, state: RunState): Command {
  const cmd = new Command('tokens')
    .alias('token')
    .description('API tokens for scripts and CI (yours; every token for admins)');

  cmd
    .command('create <name>')
    .description('Create an API token; the secret is shown only once')
    .addOption(
      new Option(
        '--role <role>',
        'at most your own role (default: your role, or with --scoped-only the highest grant)',
      ).argParser(role),
    )
    .option('--grant <application[/group]=role>', 'a role on one application or group (repeat for several)', collect)
    .option('--scoped-only', 'no role outside the grants')
    .option('--days <n>', 'expires after this many days (default: never; at most 3650)', positiveInt)
    .addHelpText(
      'after',
      `
Examples:
  drover tokens create ci --role deployer --days 90
  drover tokens create shop-ci --grant shop/staging=deployer --scoped-only
  DROVER_TOKEN=$(drover tokens create nightly --role viewer --output json | jq -r .token)`,
    )
    .action(
      action<CreateOpts>(io, state, async (ctx, [name], opts) => {
        const grants = (opts.grant ?? []).map(grantOf);
        if (opts.scopedOnly && grants.length === 0)
          throw new UsageError(
            '--scoped-only needs at least one --grant',
            'a token with no role anywhere does nothing',
          );
        const client = await ctx.client();
        let tokenRole = opts.role;
        if (!tokenRole) {
          tokenRole = opts.scopedOnly
            ? grants.map((g) => g.role).reduce((a, b) => (RANK[b] > RANK[a] ? b : a))
            : (await client.auth.me()).role;
        }
        const body = checkRequest(
          CreateApiTokenRequest,
          {
            name,
            role: tokenRole,
            grants,
            scopedOnly: !!opts.scopedOnly,
            ...(opts.days === undefined ? {} : { expiresInDays: opts.days }),
          },
          'token',
        );
        const created = await client.apiTokens.create(body);
        ctx.emit(created, () => [...describe(created, ctx), '', `export DROVER_TOKEN=${created.token}`]);
        ctx.note(ctx.io.err.yellow('warning: this is the only time the token is shown'));
      }),
    );

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description('List your tokens (every token for admins), newest first; never the secrets')
      .option('--include-revoked', 'include revoked and expired tokens'),
    100,
  ).action(
    action<ListOpts & { includeRevoked?: boolean }>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) =>
        client.apiTokens.list({ all: !!opts.includeRevoked, cursor, limit }),
      );
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No API tokens. Create one with drover tokens create <name>'
          : table(
              ['ID', 'NAME', 'PREFIX', 'ROLE', 'GRANTS', 'OWNER', 'EXPIRES', 'LAST USED', 'REVOKED'],
              page.items.map((t) => [
                t.id,
                t.name,
                t.prefix,
                roleText(t),
                grantsText(t.grants) || '-',
                t.createdBy?.email ?? '-',
                t.expiresAt ? time(t.expiresAt) : 'never',
                t.lastUsedAt ? time(t.lastUsedAt) : '-',
                t.revokedAt ? time(t.revokedAt) : '-',
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('revoke <token>')
    .description('Revoke a token (by id, name or prefix): it stops working at once, and so do tokens made with it')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [ref], opts) => {
        const client = await ctx.client();
        const found = await resolveToken(client, ref!);
        const id = typeof found === 'string' ? found : found.id;
        const label = typeof found === 'string' ? id : `${found.name} (${found.prefix}, ${id})`;
        await confirm(ctx, `Revoke token ${label}?`, opts.yes);
        await client.apiTokens.revoke(id);
        ctx.emit({ ok: true, id }, () => `Revoked token ${label}`);
      }),
    );

  return cmd;
}
