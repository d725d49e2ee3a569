// drover load-balancer (lb): the balancers deployments drive (an HAProxy Runtime API socket, or a signed webhook to
// any other balancer), and what each says about its servers now.
import {
  CreateLoadBalancerRequest,
  ServerMapping,
  UpdateLoadBalancerRequest,
  type BalancerServer,
  type LoadBalancerInfoResponse,
} from '@drover/contracts';
import { Command, Option } from 'commander';
import { EXIT_FAILED, UsageError } from '../errors';
import type { Colors, Io } from '../io';
import { fields, table, time } from '../output/format';
import { checkRequest, defined } from './request-file';
import {
  action,
  collect,
  confirm,
  listOptions,
  listPage,
  nonNegativeInt,
  ok,
  positiveInt,
  type ListOpts,
  type RunState,
} from './shared';

interface BalancerFlags {
  haproxySocket?: string;
  webhookUrl?: string;
  backend?: string[];
  mapBy?: 'instanceName' | 'address';
  drainTimeout?: number;
  healthTimeout?: number;
  killSessionsOnDrainTimeout?: boolean;
}

const mappingText = (m: LoadBalancerInfoResponse['serverMapping']) =>
  m === 'address' ? 'by traffic address' : 'by instance name';

export const balancerTarget = (lb: LoadBalancerInfoResponse) =>
  lb.haproxy ? `haproxy at ${lb.haproxy.socket}` : lb.webhook ? `webhook to ${lb.webhook.url}` : lb.provider;

const usedByText = (lb: LoadBalancerInfoResponse) =>
  lb.usedBy.map((g) => `${g.applicationName}/${g.deploymentGroupName}`).join(', ') || '-';

/** A balancer server's status word, coloured: UP green, DOWN red, DRAIN and MAINT yellow. */
export function serverStatus(s: BalancerServer, c: Colors): string {
  const word = s.status || s.adminState;
  if (s.adminState !== 'ready' || /^(DRAIN|MAINT|NOLB)/.test(word)) return c.yellow(word);
  if (s.health === 'down' || /^DOWN/.test(word)) return c.red(word);
  if (s.health === 'up' || /^UP/.test(word)) return c.green(word);
  return word;
}

/** The servers table: a BACKEND column only when the balancer has more than one backend. */
export function serversTable(servers: BalancerServer[], c: Colors): string[] {
  const many = new Set(servers.map((s) => s.backend)).size > 1;
  return table(
    [...(many ? ['BACKEND'] : []), 'SERVER', 'INSTANCE', 'STATUS', 'HEALTH', 'SESSIONS', 'WEIGHT'],
    servers.map((s) => [
      ...(many ? [s.backend] : []),
      s.server,
      s.instanceName ?? '-',
      serverStatus(s, c),
      s.health,
      String(s.sessions),
      String(s.weight),
    ]),
    c,
  );
}

function timingOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', 'a backend (HAProxy) or pool (webhook) deployments drive (repeat for several)', collect)
    .addOption(
      new Option(
        '--map-by <mapping>',
        'how a host finds its server: a server named like the instance, or its address',
      ).choices(ServerMapping.options),
    )
    .addOption(
      new Option('--drain-timeout <seconds>', 'BlockTraffic waits at most this long for sessions to end').argParser(
        nonNegativeInt,
      ),
    )
    .addOption(
      new Option('--health-timeout <seconds>', 'AllowTraffic waits at most this long for the health check').argParser(
        positiveInt,
      ),
    );
}

function settingsFromFlags(o: BalancerFlags) {
  return defined({
    backends: o.backend,
    serverMapping: o.mapBy,
    drainTimeoutSeconds: o.drainTimeout,
    healthTimeoutSeconds: o.healthTimeout,
    killSessionsOnDrainTimeout: o.killSessionsOnDrainTimeout,
  });
}

export function loadBalancersCommand(io: Io, state: RunState): Command {
  const cmd = new Command('load-balancer')
    .aliases(['lb', 'load-balancers'])
    .description('Load balancers deployments drive: an HAProxy socket, or a signed webhook to any other balancer');

  listOptions(cmd.command('list').alias('ls').description('List load balancers'), 50).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.loadBalancers.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No load balancers yet. Add one with drover lb create <name> --haproxy-socket … --backend …'
          : table(
              ['NAME', 'PROVIDER', 'BACKENDS', 'MAPPING', 'USED BY'],
              page.items.map((lb) => [
                lb.loadBalancerName,
                lb.provider,
                lb.backends.join(','),
                lb.serverMapping,
                usedByText(lb),
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description("Show a load balancer (never its webhook secret, only the secret's prefix)")
    .action(
      action(io, state, async (ctx, [name]) => {
        const lb = await (await ctx.client()).loadBalancers.get(name!);
        ctx.emit(lb, () => describe(lb, ctx.io.out));
      }),
    );

  timingOptions(
    cmd
      .command('create <name>')
      .description('Add a load balancer (admin); a webhook one gets a signing secret, shown only once')
      .option('--haproxy-socket <socket>', "HAProxy's Runtime API: unix:/run/haproxy/admin.sock or tcp:host:port")
      .option('--webhook-url <url>', 'your receiver for any other balancer (docs/traffic-webhook-provider.md)'),
  )
    .option('--kill-sessions-on-drain-timeout', 'at the drain timeout, cut the sessions left and carry on')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  drover lb create web-lb --haproxy-socket unix:/run/haproxy/admin.sock --backend web --backend api\n' +
        '  drover lb create edge --haproxy-socket tcp:10.0.0.2:9999 --backend web --map-by address --drain-timeout 60\n' +
        '  drover lb create hooks --webhook-url https://lb-hook.example.com/drover --backend pool1',
    )
    .action(
      action<BalancerFlags>(io, state, async (ctx, [name], opts) => {
        if (!opts.haproxySocket === !opts.webhookUrl) {
          throw new UsageError('give --haproxy-socket or --webhook-url (one of them)');
        }
        if (!opts.backend?.length) throw new UsageError('name at least one --backend');
        const body = checkRequest(
          CreateLoadBalancerRequest,
          {
            loadBalancerName: name,
            ...(opts.haproxySocket
              ? { provider: 'haproxy', haproxy: { socket: opts.haproxySocket } }
              : { provider: 'webhook', webhook: { url: opts.webhookUrl } }),
            ...settingsFromFlags(opts),
          },
          'load balancer',
        );
        const lb = await (await ctx.client()).loadBalancers.create(body);
        ctx.emit(lb, () => [
          `Created load balancer ${lb.loadBalancerName} (${balancerTarget(lb)}; backends ${lb.backends.join(', ')}; servers mapped ${mappingText(lb.serverMapping)})`,
          ...(lb.webhookSecret ? [`Webhook secret: ${lb.webhookSecret}`] : []),
        ]);
        if (lb.webhookSecret) secretWarning(ctx.note.bind(ctx), ctx.io.err, lb.loadBalancerName);
      }),
    );

  timingOptions(
    cmd
      .command('update <name>')
      .description('Change a load balancer (admin); only what you give changes, --backend replaces the list')
      .option('--haproxy-socket <socket>', 'new Runtime API socket (haproxy balancers)')
      .option('--webhook-url <url>', 'new receiver url (webhook balancers)'),
  )
    .option('--kill-sessions-on-drain-timeout', 'at the drain timeout, cut the sessions left and carry on')
    .option('--no-kill-sessions-on-drain-timeout', 'at the drain timeout, fail BlockTraffic')
    .option('--rotate-secret', 'issue a new webhook signing secret (shown only once; the old one stops working)')
    .action(
      action<BalancerFlags & { rotateSecret?: boolean }>(io, state, async (ctx, [name], opts) => {
        const body = checkRequest(
          UpdateLoadBalancerRequest,
          defined({
            haproxy: opts.haproxySocket ? { socket: opts.haproxySocket } : undefined,
            webhook: opts.webhookUrl ? { url: opts.webhookUrl } : undefined,
            ...settingsFromFlags(opts),
            rotateWebhookSecret: opts.rotateSecret,
          }),
          'load balancer update',
        );
        if (Object.keys(body).length === 0) throw new UsageError('nothing to change', 'see drover lb update --help');
        const lb = await (await ctx.client()).loadBalancers.update(name!, body);
        ctx.emit(lb, () => [
          `Updated load balancer ${lb.loadBalancerName} (${balancerTarget(lb)}; backends ${lb.backends.join(', ')}; servers mapped ${mappingText(lb.serverMapping)})`,
          ...(lb.webhookSecret ? [`New webhook secret: ${lb.webhookSecret}`] : []),
        ]);
        if (lb.webhookSecret) secretWarning(ctx.note.bind(ctx), ctx.io.err, lb.loadBalancerName);
      }),
    );

  cmd
    .command('delete <name>')
    .alias('rm')
    .description('Delete a load balancer no deployment group names (admin)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Delete load balancer ${name}?`, opts.yes);
        await client.loadBalancers.delete(name!);
        ctx.emit(ok, () => `Deleted load balancer ${name}`);
      }),
    );

  cmd
    .command('servers <name>')
    .description("Ask the balancer now: each server's status, health, sessions and the host it maps to")
    .action(
      action(io, state, async (ctx, [name]) => {
        const s = await (await ctx.client()).loadBalancers.servers(name!);
        const c = ctx.io.out;
        ctx.emit(s, () =>
          !s.reachable
            ? undefined
            : s.servers.length === 0
              ? `${s.loadBalancerName} has no servers in its backends.`
              : serversTable(s.servers, c),
        );
        if (!s.reachable) {
          ctx.note(ctx.io.err.red(`error: could not read ${s.loadBalancerName}: ${s.error ?? 'no reason given'}`));
          return EXIT_FAILED;
        }
        if (s.error) ctx.note(ctx.io.err.yellow(`warning: ${s.error}`));
      }),
    );

  return cmd;
}

function describe(lb: LoadBalancerInfoResponse, c: Colors): string[] {
  return fields(
    [
      ['Name', lb.loadBalancerName],
      ['Provider', lb.provider],
      ...(lb.haproxy ? ([['Socket', lb.haproxy.socket]] as [string, string][]) : []),
      ...(lb.webhook
        ? ([
            ['Webhook url', lb.webhook.url],
            ['Secret', `${lb.webhook.secretPrefix}… (shown only when created or rotated)`],
          ] as [string, string][])
        : []),
      ['Backends', lb.backends.join(', ')],
      ['Servers mapped', mappingText(lb.serverMapping)],
      ['Drain timeout', `${lb.drainTimeoutSeconds}s${lb.killSessionsOnDrainTimeout ? ', then cut sessions' : ''}`],
      ['Health timeout', `${lb.healthTimeoutSeconds}s`],
      ['Used by', usedByText(lb)],
      ['Created', time(lb.createTime)],
      ['Updated', time(lb.updateTime)],
    ],
    c,
  );
}

function secretWarning(note: (text: string) => void, c: Colors, name: string) {
  note(
    c.yellow(
      `warning: this is the only time the webhook secret is shown; it will not be shown again. Give it to your ` +
        `receiver now (lost it? drover lb update ${name} --rotate-secret issues a new one)`,
    ),
  );
}
