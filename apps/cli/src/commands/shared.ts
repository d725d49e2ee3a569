// Pieces every command module uses: the action wrapper (context in, exit code out), option value parsers whose
// failures are usage errors (exit 2), tag syntax, list flags and confirmation of destructive commands.
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { collectPages, type Page } from '@drover/client';
import { contextOf, type Context } from '../context';
import { CliError, UsageError } from '../errors';
import type { Io } from '../io';

export interface RunState {
  exitCode: number;
}

/** Wraps a command's handler: builds its context, passes positional arguments and options, records the exit code. */
export function action<Opts>(
  io: Io,
  state: RunState,
  handler: (ctx: Context, args: string[], opts: Opts) => Promise<number | void>,
) {
  return async (...raw: unknown[]) => {
    const cmd = raw[raw.length - 1] as Command;
    const opts = raw[raw.length - 2] as Opts;
    const args = raw
      .slice(0, -2)
      .flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [String(a)]));
    const code = await handler(contextOf(io, cmd), args, opts);
    if (typeof code === 'number') state.exitCode = code;
  };
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0.');
  return n;
}

/** For repeatable options: collects every occurrence. */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `key=value` → KEY_AND_VALUE, `key` → KEY_ONLY, `=value` → VALUE_ONLY (CodeDeploy's tag filter types). */
export function tagFilter(text: string): {
  key: string;
  value: string;
  type: 'KEY_ONLY' | 'VALUE_ONLY' | 'KEY_AND_VALUE';
} {
  const eq = text.indexOf('=');
  if (eq === -1) return { key: text, value: '', type: 'KEY_ONLY' };
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!key && !value) throw new UsageError(`"${text}" is not a tag filter`, 'use key=value, key, or =value');
  if (!key) return { key: '', value, type: 'VALUE_ONLY' };
  if (!value) return { key, value: '', type: 'KEY_ONLY' };
  return { key, value, type: 'KEY_AND_VALUE' };
}

/** `key=value` for instance tags (value may be empty: `key=`). */
export function tag(text: string): { key: string; value: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`"${text}" is not a tag`, 'use key=value');
  return { key: text.slice(0, eq), value: text.slice(eq + 1) };
}

export interface ListOpts {
  limit?: number;
  all?: boolean;
}

/** --limit and --all on list commands. */
export function listOptions(cmd: Command, defaultLimit: number): Command {
  return cmd
    .addOption(new Option('--limit <n>', `at most this many (default ${defaultLimit})`).argParser(positiveInt))
    .option('--all', 'every page, not just the first');
}

/** One page (the API's own shape), or every page joined into one when --all is given. */
export async function listPage<T>(
  opts: ListOpts,
  fetchPage: (cursor: string | undefined, limit: number | undefined) => Promise<Page<T>>,
): Promise<Page<T>> {
  if (opts.all) return collectPages((cursor) => fetchPage(cursor, opts.limit));
  return fetchPage(undefined, opts.limit);
}

/** Destructive commands: --yes, or a "y" typed at the terminal. Without a terminal, --yes is required. */
export async function confirm(ctx: Context, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.stdin.isTTY || !ctx.io.stderr.isTTY)
    throw new UsageError(`${question.replace(/\?$/, '')}: add --yes to confirm`);
  const rl = createInterface({ input: ctx.io.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('cancelled; nothing was changed');
  } finally {
    rl.close();
  }
}

/** What commands without a resource to show (deletions) print with `--output json`. */
export const ok = { ok: true } as const;
