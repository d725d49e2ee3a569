// drover login / logout / whoami. Logging in with email and password creates an API token for this machine (the
// password is never stored) and saves it with the server URL in the config file; --token saves a token you have.
import { hostname, userInfo } from 'node:os';
import { Command } from 'commander';
import { writeConfig } from '../config/store';
import { clientFor, type Context } from '../context';
import { UsageError } from '../errors';
import type { Io } from '../io';
import { time } from '../output/format';
import { ask, askHidden, readStdin } from './prompt';
import { action, positiveInt, type RunState } from './shared';
import { grantsText } from './users';

interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
  tokenName?: string;
  tokenDays: number;
}

const interactive = (ctx: Context) => Boolean(ctx.io.stdin.isTTY && ctx.io.stderr.isTTY);

function defaultTokenName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep the generic name
  }
  return `drover-cli ${user}@${hostname()}`.slice(0, 100);
}

async function serverUrl(ctx: Context): Promise<string> {
  const s = await ctx.settings();
  if (s.url) return s.url;
  if (interactive(ctx)) {
    const url = await ask(ctx.io, 'Drover server URL: ');
    if (url) return url;
  }
  throw new UsageError(
    'which server? pass --url (or set DROVER_URL)',
    'e.g. drover login --url https://drover.example.com',
  );
}

async function password(ctx: Context, opts: LoginOptions): Promise<string> {
  if (opts.passwordStdin) return (await readStdin(ctx.io)).replace(/\r?\n$/, '');
  if (interactive(ctx)) return askHidden(ctx.io, 'Password: ');
  throw new UsageError('no password: pass --password-stdin (or run in a terminal, or use --token)');
}

async function save(
  ctx: Context,
  profile: { url: string; token: string; tokenId?: string | undefined; email?: string | undefined },
) {
  const config = await ctx.config();
  const name = (await ctx.settings()).profile;
  config.profiles[name] = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
  if (!config.profiles[config.currentProfile]) config.currentProfile = name;
  await writeConfig(ctx.configFile, config);
  return name;
}

export function loginCommand(io: Io, state: RunState): Command {
  return new Command('login')
    .description('Log in to a Drover server and save its URL and an API token in the config file')
    .option('--email <email>', 'your email (asked for when not given)')
    .option('--password-stdin', 'read the password from stdin (for scripts)')
    .option('--token-name <name>', 'name of the API token created for this machine')
    .option('--token-days <days>', 'the API token expires after this many days', positiveInt, 90)
    .addHelpText(
      'after',
      `
With --token, the token is checked and saved as is (no password needed). Otherwise Drover asks for your
email and password, creates an API token with your role for this machine, and saves that; the password is
not stored. The config file is $XDG_CONFIG_HOME/drover/config.json (~/.config/drover/config.json), mode 0600.

Examples:
  drover login --url https://drover.example.com
  drover login --url https://drover.example.com --token drv_…
  echo "$PASSWORD" | drover login --url http://localhost:3000 --email admin@drover.local --password-stdin
  drover login --profile staging --url https://staging.drover.example.com`,
    )
    .action(
      action<LoginOptions>(io, state, async (ctx, _args, opts) => {
        const url = await serverUrl(ctx);
        const given = ctx.global.token;
        if (given) {
          const me = await clientFor(url, given).auth.me();
          const profile = await save(ctx, { url, token: given, tokenId: me.token?.id, email: me.user?.email });
          ctx.note(
            `Logged in to ${url} as ${me.user?.email ?? 'a token'} (${me.role}); token saved in ${ctx.configFile} [profile ${profile}]`,
          );
          return;
        }
        const email = opts.email ?? (interactive(ctx) ? await ask(ctx.io, 'Email: ') : undefined);
        if (!email) throw new UsageError('no email: pass --email');
        const client = clientFor(url);
        const session = await client.auth.login(email, await password(ctx, opts));
        if (session.user.mustChangePassword) {
          await client.auth.logout().catch(() => undefined);
          throw new UsageError(
            'your password is temporary: change it first (in the console, or POST /v1/auth/password), then log in again',
          );
        }
        // The machine's token acts as the user does: the same role, the same roles per application.
        const created = await client.apiTokens.create({
          name: opts.tokenName ?? defaultTokenName(),
          role: session.user.role,
          scopedOnly: session.user.scopedOnly,
          grants: session.user.grants,
          expiresInDays: opts.tokenDays,
        });
        await client.auth.logout().catch(() => undefined); // the token is what we keep; the session can go
        const profile = await save(ctx, { url, token: created.token, tokenId: created.id, email: session.user.email });
        ctx.note(
          `Logged in to ${url} as ${session.user.email} (${session.user.role}); API token "${created.name}" (expires ${time(created.expiresAt)}) saved in ${ctx.configFile} [profile ${profile}]`,
        );
      }),
    );
}

export function logoutCommand(io: Io, state: RunState): Command {
  return new Command('logout')
    .description("Forget the profile's API token (and revoke it on the server)")
    .option('--keep-token', 'remove it from the config file only; it stays valid on the server')
    .action(
      action<{ keepToken?: boolean }>(io, state, async (ctx, _args, opts) => {
        const config = await ctx.config();
        const name = (await ctx.settings()).profile;
        const profile = config.profiles[name];
        if (!profile?.token) {
          ctx.note(`Not logged in [profile ${name}]`);
          return;
        }
        if (!opts.keepToken && profile.url && profile.tokenId) {
          await clientFor(profile.url, profile.token)
            .apiTokens.revoke(profile.tokenId)
            .catch((err: Error) =>
              ctx.note(`warning: could not revoke the token on the server (${err.message}); it stays valid`),
            );
        }
        delete profile.token;
        delete profile.tokenId;
        await writeConfig(ctx.configFile, config);
        ctx.note(`Logged out of ${profile.url ?? 'the server'} [profile ${name}]`);
        if (ctx.io.env.DROVER_TOKEN) ctx.note('note: DROVER_TOKEN is set in your environment and still applies');
      }),
    );
}

export function whoamiCommand(io: Io, state: RunState): Command {
  return new Command('whoami').description('Who the configured token acts as, on which server').action(
    action(io, state, async (ctx) => {
      const client = await ctx.client();
      const me = await client.auth.me();
      const s = await ctx.settings();
      ctx.emit(
        me,
        () =>
          `${me.user?.email ?? '(deleted user)'} (${me.scopedOnly ? 'no global role' : me.role})` +
          `${me.token ? ` via API token "${me.token.name}"` : ''} at ${client.transport.baseUrl} [${s.tokenSource ?? 'profile'}]` +
          (me.grants.length ? `\ngrants: ${grantsText(me.grants)}` : ''),
      );
    }),
  );
}
