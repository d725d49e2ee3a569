// drover registration-tokens: the tokens hosts join with (admin). `create` prints the secret once and the one-line
// install for this server with it filled in, as the console's Register hosts dialog does.
import { CreateRegistrationTokenRequest, type RegistrationTokenInfo } from '@drover/contracts';
import { Command } from 'commander';
import { fields, table, tagText, time } from '../output/format';
import type { Io } from '../io';
import { checkRequest } from './request-file';
import {
  action,
  collect,
  confirm,
  listOptions,
  listPage,
  positiveInt,
  tag,
  type ListOpts,
  type RunState,
} from './shared';

interface CreateOpts {
  tag?: string[];
  allowExtraTags?: boolean;
  namePattern?: string;
  hours?: number;
  maxUses?: number;
}

/** The line to run on each host, as root. */
export function installLine(serverUrl: string, token: string): string {
  return `curl -fsSL ${serverUrl.replace(/\/+$/, '')}/install.sh | sudo sh -s -- --token ${token}`;
}

const used = (t: RegistrationTokenInfo) => `${t.usedCount}${t.maxUses !== null ? `/${t.maxUses}` : ''}`;

export function registrationTokensCommand(io: Io, state: RunState): Command {
  const cmd = new Command('registration-tokens')
    .alias('registration-token')
    .description('Tokens hosts register with, and the install line for them (admin)');

  cmd
    .command('create <name>')
    .description('Create a token and print the install line for hosts (the token is shown only here)')
    .option('--tag <key=value>', 'a tag every host registering with it gets (repeat for several)', collect)
    .option('--hours <n>', 'valid for this many hours (default 24, at most 720)', positiveInt)
    .option('--max-uses <n>', 'at most this many registrations (default: unlimited)', positiveInt)
    .option('--allow-extra-tags', 'hosts may add tags of their own (never change the token’s)')
    .option('--name-pattern <glob>', 'instance names must match this (* any characters, ? one), e.g. web-*')
    .action(
      action<CreateOpts>(io, state, async (ctx, [name], opts) => {
        const body = checkRequest(
          CreateRegistrationTokenRequest,
          {
            name,
            tags: (opts.tag ?? []).map(tag),
            ...(opts.allowExtraTags ? { allowExtraTags: true } : {}),
            ...(opts.namePattern ? { namePattern: opts.namePattern } : {}),
            ...(opts.hours === undefined ? {} : { expiresInHours: opts.hours }),
            ...(opts.maxUses === undefined ? {} : { maxUses: opts.maxUses }),
          },
          'registration token',
        );
        const client = await ctx.client();
        const created = await client.registrationTokens.create(body);
        const line = installLine((await ctx.settings()).url ?? '', created.token);
        ctx.emit({ ...created, installCommand: line }, () => [
          ...fields(
            [
              ['Token', created.token],
              ['Name', created.name],
              [
                'Tags',
                `${tagText(created.tags) || '-'}${created.allowExtraTags ? ' (hosts may add others)' : ' (hosts may add none)'}`,
              ],
              ['Names', created.namePattern ?? 'any'],
              ['Expires', time(created.expiresAt)],
              ['Max uses', created.maxUses ?? 'unlimited'],
            ],
            ctx.io.out,
          ),
          '',
          'On each host, as root (the token is shown only now):',
          `  ${line}`,
        ]);
      }),
    );

  listOptions(cmd.command('list').alias('ls').description('List registration tokens'), 100).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.registrationTokens.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No registration tokens. Create one with drover registration-tokens create <name>.'
          : table(
              ['ID', 'NAME', 'PREFIX', 'TAGS', 'USED', 'EXPIRES', 'REVOKED'],
              page.items.map((t) => [
                t.id,
                t.name,
                t.prefix,
                tagText(t.tags) || '-',
                used(t),
                time(t.expiresAt),
                t.revokedAt ? time(t.revokedAt) : '-',
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('revoke <id>')
    .description('Revoke a token: no new host can register with it; registered hosts keep working')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [id], opts) => {
        await confirm(ctx, `Revoke registration token ${id}?`, opts.yes);
        await (await ctx.client()).registrationTokens.revoke(id!);
        ctx.emit({ ok: true, id }, () => `revoked ${id}`);
      }),
    );
  return cmd;
}
