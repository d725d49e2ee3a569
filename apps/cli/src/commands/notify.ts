// drover notify: notification targets (a signed webhook, or a Slack-compatible chat hook) that deployment groups'
// triggers send events to, their delivery log, a test event and redelivery.
import {
  CreateNotificationTargetRequest,
  NotificationDeliveryStatus,
  UpdateNotificationTargetRequest,
  type NotificationDelivery,
  type NotificationTargetInfo,
} from '@drover/contracts';
import { Command, Option } from 'commander';
import { EXIT_FAILED, UsageError } from '../errors';
import type { Colors } from '../io';
import type { Io } from '../io';
import { fields, shortId, table, time } from '../output/format';
import { checkRequest, defined } from './request-file';
import { action, confirm, listOptions, listPage, ok, type ListOpts, type RunState } from './shared';

const usedByText = (t: NotificationTargetInfo) =>
  t.usedBy.map((u) => `${u.applicationName}/${u.deploymentGroupName} (${u.triggerName})`).join(', ') || '-';

function deliveryStatus(d: NotificationDelivery, c: Colors): string {
  if (d.status === 'delivered') return c.green('delivered');
  if (d.status === 'failed') return c.red('failed');
  return d.attempts > 0 ? c.yellow('retrying') : 'pending';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function notifyCommand(io: Io, state: RunState): Command {
  const cmd = new Command('notify')
    .aliases(['notification-targets', 'notifications'])
    .description("Notification targets for deployment groups' triggers: signed webhooks and chat (Slack-compatible)");

  listOptions(cmd.command('list').alias('ls').description('List notification targets'), 50).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.notificationTargets.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No notification targets yet. Add one with drover notify create <name> --webhook <url> (or --slack <url>)'
          : table(
              ['NAME', 'KIND', 'URL', 'PENDING', 'FAILED', 'USED BY'],
              page.items.map((t) => [
                t.notificationTargetName,
                t.kind,
                t.url,
                String(t.pendingDeliveries),
                t.failedDeliveries ? ctx.io.out.red(String(t.failedDeliveries)) : '0',
                usedByText(t),
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description("Show a target (its URL's start and its secret's prefix only)")
    .action(
      action(io, state, async (ctx, [name]) => {
        const t = await (await ctx.client()).notificationTargets.get(name!);
        ctx.emit(t, () => describe(t, ctx.io.out));
      }),
    );

  cmd
    .command('create <name>')
    .description('Add a target (admin); a webhook target gets a signing secret, shown only once')
    .option('--webhook <url>', 'a receiver of signed JSON events (docs/notifications.md)')
    .option('--slack <url>', 'a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)')
    .option('--description <text>', 'what it is for')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  drover notify create ci --webhook https://ci.example.com/hooks/drover\n' +
        '  drover notify create team-chat --slack https://hooks.slack.com/services/T000/B000/XXXX\n' +
        '  then name it in a group: "triggerConfigurations": [{"triggerName": "chat", "triggerTargetArn": "team-chat",\n' +
        '  "triggerEvents": ["DeploymentFailure", "DeploymentSuccess"]}]',
    )
    .action(
      action<{ webhook?: string; slack?: string; description?: string }>(io, state, async (ctx, [name], opts) => {
        if (!opts.webhook === !opts.slack) throw new UsageError('give --webhook or --slack (one of them)');
        const body = checkRequest(
          CreateNotificationTargetRequest,
          defined({
            notificationTargetName: name,
            kind: opts.webhook ? 'webhook' : 'slack',
            url: opts.webhook ?? opts.slack,
            description: opts.description,
          }),
          'notification target',
        );
        const t = await (await ctx.client()).notificationTargets.create(body);
        ctx.emit(t, () => [
          `Created notification target ${t.notificationTargetName} (${t.kind} to ${t.url})`,
          ...(t.signingSecret ? [`Signing secret: ${t.signingSecret}`] : []),
        ]);
        if (t.signingSecret) secretWarning(ctx.note.bind(ctx), ctx.io.err, t.notificationTargetName);
      }),
    );

  cmd
    .command('update <name>')
    .description('Change a target (admin); only what you give changes')
    .option('--url <url>', 'new URL')
    .option('--description <text>', 'new description')
    .option('--rotate-secret', 'issue a new signing secret (shown only once; the old one stops working)')
    .action(
      action<{ url?: string; description?: string; rotateSecret?: boolean }>(io, state, async (ctx, [name], opts) => {
        const body = checkRequest(
          UpdateNotificationTargetRequest,
          defined({ url: opts.url, description: opts.description, rotateSecret: opts.rotateSecret }),
          'notification target update',
        );
        if (Object.keys(body).length === 0) {
          throw new UsageError('nothing to change', 'see drover notify update --help');
        }
        const t = await (await ctx.client()).notificationTargets.update(name!, body);
        ctx.emit(t, () => [
          `Updated notification target ${t.notificationTargetName} (${t.kind} to ${t.url})`,
          ...(t.signingSecret ? [`New signing secret: ${t.signingSecret}`] : []),
        ]);
        if (t.signingSecret) secretWarning(ctx.note.bind(ctx), ctx.io.err, t.notificationTargetName);
      }),
    );

  cmd
    .command('delete <name>')
    .alias('rm')
    .description("Delete a target no group's trigger names (admin)")
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Delete notification target ${name}?`, opts.yes);
        await client.notificationTargets.delete(name!);
        ctx.emit(ok, () => `Deleted notification target ${name}`);
      }),
    );

  cmd
    .command('test <name>')
    .description('Send a test event (admin) and wait for the receiver to answer')
    .addOption(new Option('--timeout <seconds>', 'stop waiting after this long').default(30).argParser(Number))
    .action(
      action<{ timeout: number }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        let d = await client.notificationTargets.test(name!);
        ctx.note(ctx.io.err.dim(`Test event ${d.eventId} queued; waiting for ${name} to answer…`));
        const deadline = Date.now() + opts.timeout * 1000;
        while (d.status === 'pending' && d.attempts === 0 && Date.now() < deadline) {
          await sleep(300);
          d = await client.notificationTargets.delivery(name!, d.deliveryId);
        }
        ctx.emit(d, () => deliveryLines(d, ctx.io.out));
        return d.status === 'delivered' ? undefined : EXIT_FAILED;
      }),
    );

  listOptions(
    cmd
      .command('deliveries <name>')
      .description("A target's delivery log, newest first: status, answer, latency, attempts")
      .addOption(new Option('--status <status>', 'only these').choices(NotificationDeliveryStatus.options))
      .option('--deployment <id>', "only this deployment's events"),
    50,
  ).action(
    action<ListOpts & { status?: NotificationDelivery['status']; deployment?: string }>(
      io,
      state,
      async (ctx, [name], opts) => {
        const client = await ctx.client();
        const page = await listPage(opts, (cursor, limit) =>
          client.notificationTargets.deliveries(name!, {
            cursor,
            limit,
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.deployment ? { deploymentId: opts.deployment } : {}),
          }),
        );
        const c = ctx.io.out;
        ctx.emit(page, () =>
          page.items.length === 0
            ? `No deliveries to ${name} yet.`
            : table(
                ['DELIVERY', 'EVENT', 'DEPLOYMENT', 'STATUS', 'CODE', 'LATENCY', 'ATTEMPTS', 'TIME', 'ERROR'],
                page.items.map((d) => [
                  d.deliveryId,
                  d.eventType,
                  d.deploymentId ?? '-',
                  deliveryStatus(d, c),
                  d.responseStatus === null ? '-' : String(d.responseStatus),
                  d.latencyMs === null ? '-' : `${d.latencyMs}ms`,
                  String(d.attempts),
                  time(d.lastAttemptTime ?? d.createTime),
                  d.summarizedIn ? `in summary ${shortId(d.summarizedIn)}` : (d.error ?? ''),
                ]),
                c,
              ),
        );
      },
    ),
  );

  cmd
    .command('redeliver <name> <deliveryId>')
    .description('Send a delivered or failed delivery again (admin), with the same event id')
    .action(
      action(io, state, async (ctx, [name, deliveryId]) => {
        const d = await (await ctx.client()).notificationTargets.redeliver(name!, deliveryId!);
        ctx.emit(d, () => `Queued ${d.eventType} event ${d.eventId} to ${name} again (delivery ${d.deliveryId})`);
      }),
    );

  return cmd;
}

function deliveryLines(d: NotificationDelivery, c: Colors): string[] {
  return fields(
    [
      ['Delivery', d.deliveryId],
      ['Event', `${d.eventType} ${d.eventId}`],
      ['Status', deliveryStatus(d, c)],
      ['Answer', d.responseStatus === null ? '-' : `HTTP ${d.responseStatus}`],
      ['Latency', d.latencyMs === null ? '-' : `${d.latencyMs}ms`],
      ['Attempts', d.attempts],
      ['Response', d.responseExcerpt ?? '-'],
      ...(d.error ? ([['Error', c.red(d.error)]] as [string, string][]) : []),
    ],
    c,
  );
}

function describe(t: NotificationTargetInfo, c: Colors): string[] {
  return fields(
    [
      ['Name', t.notificationTargetName],
      ['Kind', t.kind],
      ['URL', `${t.url} (shown only in part)`],
      ...(t.secretPrefix
        ? ([['Secret', `${t.secretPrefix}… (shown only when created or rotated)`]] as [string, string][])
        : []),
      ['Description', t.description ?? '-'],
      ['Used by', usedByText(t)],
      ['Pending', t.pendingDeliveries],
      ['Failed', t.failedDeliveries],
      ['Created', time(t.createTime)],
      ['Updated', time(t.updateTime)],
    ],
    c,
  );
}

function secretWarning(note: (text: string) => void, c: Colors, name: string) {
  note(
    c.yellow(
      `warning: this is the only time the signing secret is shown; it will not be shown again. Give it to your ` +
        `receiver now (lost it? drover notify update ${name} --rotate-secret issues a new one)`,
    ),
  );
}
