// drover logs <deployment>: hook output of every host and event (or one host, one event), optionally followed live
// until the deployment ends. Lines are prefixed with host and event unless --no-prefix.
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '@drover/contracts';
import { collectPages, type DroverClient } from '@drover/client';
import { Command, Option } from 'commander';
import type { Context } from '../context';
import { CliError } from '../errors';
import type { Io } from '../io';
import { action, type RunState } from './shared';

interface LogsOptions {
  host?: string;
  event?: LifecycleEventName;
  follow?: boolean;
  prefix: boolean;
}

/** Prefixes whole lines; a chunk's unfinished last line waits for the rest (per host and event). */
class LinePrinter {
  private partial = new Map<string, string>();
  constructor(
    private readonly ctx: Context,
    private readonly prefix: boolean,
  ) {}

  write(host: string, event: string, text: string) {
    if (!this.prefix) {
      this.ctx.io.stdout.write(text);
      return;
    }
    const key = `${host}\u0000${event}`;
    const lines = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, lines.pop() ?? '');
    const c = this.ctx.io.out;
    for (const l of lines) this.ctx.io.stdout.write(`${c.cyan(host)} ${c.dim(event)} ${l}\n`);
  }

  flush() {
    for (const [key, rest] of this.partial) {
      if (!rest) continue;
      const [host, event] = key.split('\u0000');
      this.partial.set(key, '');
      this.write(host!, event!, `${rest}\n`);
    }
  }
}

async function printExisting(ctx: Context, client: DroverClient, id: string, opts: LogsOptions) {
  const targets = (await collectPages((cursor) => client.deployments.targets(id, { cursor }))).items.filter(
    (t) => !opts.host || t.targetId === opts.host,
  );
  if (opts.host && targets.length === 0)
    throw new CliError(`${opts.host} is not a host of ${id}`, {
      hint: `see the hosts: drover deployment targets ${id}`,
    });
  const printer = new LinePrinter(ctx, opts.prefix);
  const entries = [];
  for (const t of targets) {
    for (const ev of t.lifecycleEvents) {
      if ((opts.event && ev.lifecycleEventName !== opts.event) || ev.status === 'Pending') continue;
      const { text } =
        ev.logBytes > 0 ? await client.deployments.log(id, t.targetId, ev.lifecycleEventName) : { text: '' };
      entries.push({ targetId: t.targetId, eventName: ev.lifecycleEventName, status: ev.status, log: text });
      if (!ctx.json) printer.write(t.targetId, ev.lifecycleEventName, text);
    }
  }
  printer.flush();
  if (ctx.json) ctx.emit(entries, () => undefined);
  else if (!entries.some((e) => e.log))
    ctx.note(`no hook output${opts.host || opts.event ? ' matching that' : ''} in ${id} (yet)`);
}

async function follow(ctx: Context, client: DroverClient, id: string, opts: LogsOptions) {
  const printer = new LinePrinter(ctx, opts.prefix);
  for await (const chunk of client.deployments.followLogs(id, { host: opts.host, event: opts.event })) {
    // JSON: one object per line (NDJSON), as each chunk arrives.
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(chunk)}\n`);
    else printer.write(chunk.targetId, chunk.eventName, chunk.text);
  }
  printer.flush();
}

export function logsCommand(io: Io, state: RunState): Command {
  return new Command('logs')
    .description("Hook output of a deployment's hosts")
    .argument('<deployment-id>', 'deployment')
    .option('--host <name>', 'only this host')
    .addOption(new Option('--event <name>', 'only this lifecycle event').choices(LIFECYCLE_EVENT_NAMES))
    .option('-f, --follow', 'keep printing new output until the deployment ends')
    .option('--no-prefix', 'print the output as is, without "host event" in front of each line')
    .addHelpText(
      'after',
      `
With --output json: an array of {targetId, eventName, status, log}; with --follow, one
{targetId, eventName, text} object per line as output arrives.

Examples:
  drover logs d-ABCDEFGHI --host web-1 --event ValidateService
  drover logs d-ABCDEFGHI --follow`,
    )
    .action(
      action<LogsOptions>(io, state, async (ctx, [id], opts) => {
        const client = await ctx.client();
        if (opts.follow) await follow(ctx, client, id!, opts);
        else await printExisting(ctx, client, id!, opts);
      }),
    );
}
