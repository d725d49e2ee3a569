// drover audit (admin): who changed what, when and from where. `list` pages the log newest first; `--follow` prints
// the latest entries oldest first, then every new one as it is written, by asking the API for events after the ones
// it has seen (afterId) every couple of seconds, until interrupted.
import { ListAuditQuery, type AuditEventInfo } from '@drover/contracts';
import { collectPages, DroverApiError, DroverNetworkError, type DroverClient } from '@drover/client';
import { Command, InvalidArgumentError } from 'commander';
import type { Context } from '../context';
import { UsageError } from '../errors';
import type { Io } from '../io';
import { AuditWindow } from '../output/audit-window';
import { table, time } from '../output/format';
import { checkRequest } from './request-file';
import { action, listOptions, listPage, type ListOpts, type RunState } from './shared';

const POLL_MS = 2_000;
/** Longer than any transaction that writes an audit row is expected to stay open (see AuditWindow). */
const SETTLE_MS = 60_000;
const FOLLOW_TAIL = 20;

interface AuditOpts extends ListOpts {
  resourceType?: string;
  resourceId?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  follow?: boolean;
  details?: boolean;
}

type AuditFilters = Partial<Pick<ListAuditQuery, 'resourceType' | 'resourceId' | 'actor' | 'action' | 'since'>>;

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 15m` (s, m, h, d ago) or a date/time such as 2026-12-01 or 2026-12-01T08:00:00Z, as ISO 8601. */
export function sinceTime(text: string, now = Date.now()): string {
  const rel = /^(\d+)([smhd])$/.exec(text.trim());
  if (rel) return new Date(now - Number(rel[1]) * UNITS[rel[2]!]!).toISOString();
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(t))
    throw new InvalidArgumentError('use a duration ago (30s, 15m, 2h, 7d) or a date (2026-12-01T08:00:00Z).');
  return new Date(t).toISOString();
}

const actorText = (e: AuditEventInfo) => `${e.actor.name ?? e.actor.id ?? '-'} (${e.actor.type})`;
const resourceText = (e: AuditEventInfo) => (e.resourceId ? `${e.resourceType}/${e.resourceId}` : e.resourceType);
const detailsText = (e: AuditEventInfo) =>
  e.details === null || e.details === undefined ? '-' : JSON.stringify(e.details);

function row(e: AuditEventInfo, details: boolean): string[] {
  return [
    e.id,
    time(e.at),
    actorText(e),
    e.action,
    resourceText(e),
    e.sourceIp ?? '-',
    ...(details ? [detailsText(e)] : []),
  ];
}

const header = (details: boolean) => [
  'ID',
  'TIME',
  'ACTOR',
  'ACTION',
  'RESOURCE',
  'SOURCE IP',
  ...(details ? ['DETAILS'] : []),
];

/** A followed entry on one line, columns padded to usual widths (a table cannot know the widths of what is to come). */
function followLine(cells: string[]): string {
  const widths = [8, 20, 32, 28, 52, 15];
  return cells
    .map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c))
    .join('  ')
    .trimEnd();
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Failures a follower waits out: the server unreachable or answering 5xx (restarts, deploys of Drover itself). */
const passing = (err: unknown) =>
  err instanceof DroverNetworkError || (err instanceof DroverApiError && err.status >= 500);

async function follow(ctx: Context, client: DroverClient, filters: AuditFilters, opts: AuditOpts) {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const print = (e: AuditEventInfo) => {
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(e)}\n`);
    else ctx.io.stdout.write(`${followLine(row(e, !!opts.details))}\n`);
  };
  try {
    const window = new AuditWindow({ settleMs: SETTLE_MS });
    const startedAt = Date.now();
    const tail = await client.audit.list({ ...filters, limit: opts.limit ?? FOLLOW_TAIL }, stop.signal);
    window.start(tail.items, startedAt);
    if (!ctx.json) ctx.io.stdout.write(`${ctx.io.out.bold(followLine(header(!!opts.details)))}\n`);
    for (const e of [...tail.items].reverse()) print(e);
    ctx.note(ctx.io.err.dim('following the audit log; Ctrl-C to stop'));
    let failing = false;
    while (!stop.signal.aborted) {
      await sleep(POLL_MS, stop.signal);
      if (stop.signal.aborted) break;
      const polledAt = Date.now();
      try {
        const page = await collectPages((cursor) =>
          client.audit.list({ ...filters, afterId: window.afterId, cursor, limit: 500 }, stop.signal),
        );
        for (const e of window.take(page.items, polledAt)) print(e);
        if (failing) ctx.note('the server answers again; following');
        failing = false;
      } catch (err) {
        if (stop.signal.aborted) break;
        if (!passing(err)) throw err;
        if (!failing) ctx.note(ctx.io.err.yellow(`warning: ${(err as Error).message}; trying again`));
        failing = true;
      }
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export function auditCommand(io: Io, state: RunState): Command {
  const cmd = new Command('audit').description('The audit log: who changed what, when, from where (admin)');

  listOptions(
    cmd
      .command('list', { isDefault: true })
      .alias('ls')
      .description('List audit entries, newest first (filters combine with AND); --follow for new ones as they come')
      .option('--resource-type <type>', 'e.g. application, deploymentGroup, instance, apiToken, user')
      .option('--resource-id <id>', 'one resource (its name or id, as the entries show it)')
      .option('--actor <id|name>', 'who acted: a user’s email, a token’s or an instance’s name, or an id')
      .option('--action <action>', 'e.g. deployment.create, instance.deregister, user.login')
      .option('--since <when>', 'entries from this time on: 30s, 15m, 2h, 7d ago, or a date/time', (t: string) =>
        sinceTime(t),
      )
      .option('--until <when>', 'entries up to this time (not with --follow)', (t: string) => sinceTime(t))
      .option('-f, --follow', 'print the latest entries, then each new one as it is written, until Ctrl-C')
      .option('--details', 'add each entry’s details (JSON) as a last column'),
    100,
  )
    .addHelpText(
      'after',
      `
--limit with --follow is how many of the latest entries to show first (default ${FOLLOW_TAIL}).
With --output json: the page as the API answers it; with --follow, one entry (JSON) per line.

Examples:
  drover audit --since 1h --actor ada@example.com
  drover audit --resource-type deploymentGroup --resource-id shop/prod --details
  drover audit --follow --action instance.deregister`,
    )
    .action(
      action<AuditOpts>(io, state, async (ctx, _args, opts) => {
        if (opts.follow && opts.until) throw new UsageError('--until and --follow contradict each other');
        if (opts.follow && opts.all) throw new UsageError('--all and --follow contradict each other');
        const filters = checkRequest(
          ListAuditQuery.pick({
            resourceType: true,
            resourceId: true,
            actor: true,
            action: true,
            since: true,
            until: true,
          }),
          {
            ...(opts.resourceType ? { resourceType: opts.resourceType } : {}),
            ...(opts.resourceId ? { resourceId: opts.resourceId } : {}),
            ...(opts.actor ? { actor: opts.actor } : {}),
            ...(opts.action ? { action: opts.action } : {}),
            ...(opts.since ? { since: opts.since } : {}),
            ...(opts.until ? { until: opts.until } : {}),
          },
          'audit filter',
        );
        const client = await ctx.client();
        if (opts.follow) return follow(ctx, client, filters, opts);
        const page = await listPage(opts, (cursor, limit) => client.audit.list({ ...filters, cursor, limit }));
        ctx.emit(page, () =>
          page.items.length === 0
            ? 'No audit entries match.'
            : table(
                header(!!opts.details),
                page.items.map((e) => row(e, !!opts.details)),
                ctx.io.out,
              ),
        );
      }),
    );

  return cmd;
}
