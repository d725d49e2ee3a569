// drover alarm: alarm definitions that deployment groups name (a Prometheus query, an Alertmanager alert matcher, an
// HTTP probe), evaluating one now, and the receiver tokens Alertmanager sends with its webhook.
import {
  AlarmComparison,
  CreateAlarmRequest,
  UpdateAlarmRequest,
  type AlarmEvaluation,
  type AlarmInfo,
  type ExpectStatus,
  type LabelMatcher,
} from '@drover/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT_FAILED, UsageError } from '../errors';
import type { Colors } from '../io';
import type { Io } from '../io';
import { fields, table, time } from '../output/format';
import { checkRequest, defined, readRequestFile } from './request-file';
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

interface AlarmFlags {
  fromFile?: string;
  prometheusUrl?: string;
  query?: string;
  comparison?: AlarmComparison;
  threshold?: number;
  for?: number;
  timeout?: number;
  alertname?: string;
  match?: string[];
  probeUrl?: string;
  expectStatus?: ExpectStatus;
  bodyContains?: string;
}

function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

/** `200`, `200,204` or `200-299`. */
export function parseExpectStatus(value: string): ExpectStatus {
  const range = /^(\d{3})-(\d{3})$/.exec(value);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  if (/^\d{3}(,\d{3})+$/.test(value)) return value.split(',').map(Number);
  if (/^\d{3}$/.test(value)) return Number(value);
  throw new InvalidArgumentError('expected a status (200), a list (200,204) or a range (200-299).');
}

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex`, as Alertmanager writes matchers. */
export function parseMatcher(text: string): LabelMatcher {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(text);
  if (!m) throw new UsageError(`--match ${text}: expected name=value, name!=value, name=~regex or name!~regex`);
  return { name: m[1]!, op: m[2] as LabelMatcher['op'], value: m[3]! };
}

const usedByText = (a: AlarmInfo) =>
  a.usedBy.map((g) => `${g.applicationName}/${g.deploymentGroupName}`).join(', ') || '-';

const expectText = (e: ExpectStatus) =>
  typeof e === 'number' ? String(e) : Array.isArray(e) ? e.join(',') : `${e.min}-${e.max}`;

/** One line saying what the alarm checks. */
export function alarmSummary(a: AlarmInfo): string {
  if (a.prometheus) {
    const p = a.prometheus;
    return `${p.query} ${p.comparison} ${p.threshold}${p.forSeconds ? ` for ${p.forSeconds}s` : ''}`;
  }
  if (a.alertmanager) {
    const m = a.alertmanager.matchers.map((x) => `, ${x.name}${x.op}"${x.value}"`).join('');
    return `{alertname="${a.alertmanager.alertname}"${m}} firing`;
  }
  if (a.httpProbe) return `GET ${a.httpProbe.url} → ${expectText(a.httpProbe.expectStatus)}`;
  return a.kind;
}

export function stateText(state: string | null, c: Colors): string {
  if (state === 'OK') return c.green('OK');
  if (state === 'ALARM') return c.red('ALARM');
  if (state === 'UNREACHABLE') return c.yellow('UNREACHABLE');
  return '-';
}

function withAlarmFlags(cmd: Command): Command {
  return cmd
    .option('-f, --from-file <file>', 'request body as JSON or YAML (- for stdin); flags override its fields')
    .option('--prometheus-url <url>', 'prometheus: the HTTP API base, e.g. http://prometheus:9090')
    .option('--query <promql>', 'prometheus: an expression giving an instant vector or a scalar')
    .addOption(new Option('--comparison <op>', 'prometheus: how a value is compared').choices(AlarmComparison.options))
    .addOption(new Option('--threshold <number>', 'prometheus: the value compared with').argParser(finiteNumber))
    .addOption(
      new Option('--for <seconds>', 'prometheus: how long the condition must hold (default 0)').argParser(
        nonNegativeInt,
      ),
    )
    .addOption(new Option('--timeout <seconds>', 'per query or probe').argParser(positiveInt))
    .option('--alertname <name>', 'alertmanager: the alert name')
    .option(
      '--match <matcher>',
      'alertmanager: a label matcher (name=value, name!=v, name=~re, name!~re; repeat)',
      collect,
    )
    .option('--probe-url <url>', 'http_probe: the URL to GET')
    .addOption(
      new Option('--expect-status <status>', 'http_probe: 200 (default), 200,204 or 200-299').argParser(
        parseExpectStatus,
      ),
    )
    .option('--body-contains <text>', 'http_probe: text the body must contain');
}

function kindOf(
  o: AlarmFlags,
  file: Record<string, unknown>,
): 'prometheus' | 'alertmanager' | 'http_probe' | undefined {
  const given = [
    o.prometheusUrl || o.query || o.comparison || o.threshold !== undefined || o.for !== undefined
      ? 'prometheus'
      : null,
    o.alertname || o.match ? 'alertmanager' : null,
    o.probeUrl || o.expectStatus !== undefined || o.bodyContains ? 'http_probe' : null,
  ].filter((k): k is 'prometheus' | 'alertmanager' | 'http_probe' => k !== null);
  if (given.length > 1)
    throw new UsageError(`flags of several kinds given (${given.join(', ')}); an alarm has one kind`);
  return given[0] ?? (typeof file.kind === 'string' ? (file.kind as 'prometheus') : undefined);
}

/** The kind's block from the flags given (undefined fields left out so the file's stay). */
function blockOf(kind: string, o: AlarmFlags): Record<string, unknown> {
  if (kind === 'prometheus') {
    return defined({
      url: o.prometheusUrl,
      query: o.query,
      comparison: o.comparison,
      threshold: o.threshold,
      forSeconds: o.for,
      timeoutSeconds: o.timeout,
    });
  }
  if (kind === 'alertmanager') return defined({ alertname: o.alertname, matchers: o.match?.map(parseMatcher) });
  return defined({
    url: o.probeUrl,
    expectStatus: o.expectStatus,
    bodyContains: o.bodyContains,
    timeoutSeconds: o.timeout,
  });
}

const blockName = (kind: string) => (kind === 'http_probe' ? 'httpProbe' : kind);

export function alarmsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('alarm')
    .alias('alarms')
    .description('Alarm definitions deployment groups name: Prometheus queries, Alertmanager alerts, HTTP probes');

  listOptions(cmd.command('list').alias('ls').description('List alarms with their last evaluation'), 50).action(
    action<ListOpts>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) => client.alarms.list({ cursor, limit }));
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No alarms yet. Add one with drover alarm create <name> --prometheus-url … --query … --comparison … --threshold …'
          : table(
              ['NAME', 'KIND', 'CHECKS', 'LAST', 'USED BY'],
              page.items.map((a) => [
                a.alarmName,
                a.kind,
                alarmSummary(a),
                stateText(a.lastState, ctx.io.out),
                usedByText(a),
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <name>')
    .description('Show an alarm (never its credentials)')
    .action(
      action(io, state, async (ctx, [name]) => {
        const a = await (await ctx.client()).alarms.get(name!);
        ctx.emit(a, () => describe(a, ctx.io.out));
      }),
    );

  withAlarmFlags(
    cmd
      .command('create <name>')
      .description('Add an alarm (admin); the flags given choose the kind (credentials only with --from-file)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  drover alarm create shop-5xx --prometheus-url http://prometheus:9090 --query 'sum(rate(http_requests_total{code=~\"5..\"}[1m]))' --comparison '>' --threshold 0.5 --for 30\n" +
        "  drover alarm create shop-alerts --alertname HighErrorRate --match service=shop --match 'severity=~critical|page'\n" +
        '  drover alarm create shop-health --probe-url http://shop.internal/healthz --expect-status 200-299 --body-contains ok\n' +
        '  drover alarm create shop-5xx -f alarm.yaml    # a body as POST /v1/alarms takes it (prometheus.auth too)',
    )
    .action(
      action<AlarmFlags>(io, state, async (ctx, [name], opts) => {
        const file = await readRequestFile(ctx.io, opts.fromFile);
        const kind = kindOf(opts, file);
        if (!kind) throw new UsageError('give the flags of one kind (see drover alarm create --help) or --from-file');
        const block = blockName(kind);
        const body = checkRequest(
          CreateAlarmRequest,
          {
            ...file,
            alarmName: name,
            kind,
            [block]: { ...((file[block] as Record<string, unknown> | undefined) ?? {}), ...blockOf(kind, opts) },
          },
          'alarm',
        );
        const a = await (await ctx.client()).alarms.create(body);
        ctx.emit(a, () => `Created ${a.kind} alarm ${a.alarmName}: ${alarmSummary(a)}`);
      }),
    );

  withAlarmFlags(
    cmd.command('update <name>').description('Change an alarm (admin); only what you give changes, the kind never'),
  ).action(
    action<AlarmFlags>(io, state, async (ctx, [name], opts) => {
      const client = await ctx.client();
      const file = await readRequestFile(ctx.io, opts.fromFile);
      const current = await client.alarms.get(name!);
      const block = blockName(current.kind);
      const fromFlags = blockOf(current.kind, opts);
      const other = kindOf(opts, {});
      if (other && other !== current.kind) {
        throw new UsageError(`${name} is a ${current.kind} alarm; those flags are for ${other} alarms`);
      }
      const body = checkRequest(
        UpdateAlarmRequest,
        {
          ...file,
          ...(Object.keys(fromFlags).length > 0
            ? { [block]: { ...((file[block] as Record<string, unknown> | undefined) ?? {}), ...fromFlags } }
            : {}),
        },
        'alarm update',
      );
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change', 'see drover alarm update --help');
      const a = await client.alarms.update(name!, body);
      ctx.emit(a, () => `Updated ${a.kind} alarm ${a.alarmName}: ${alarmSummary(a)}`);
    }),
  );

  cmd
    .command('delete <name>')
    .alias('rm')
    .description('Delete an alarm no deployment group names (admin)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [name], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Delete alarm ${name}?`, opts.yes);
        await client.alarms.delete(name!);
        ctx.emit(ok, () => `Deleted alarm ${name}`);
      }),
    );

  cmd
    .command('evaluate <name>')
    .alias('eval')
    .description('Evaluate an alarm now (deployer); exits 1 when it is ALARM or UNREACHABLE')
    .action(
      action(io, state, async (ctx, [name]) => {
        const r = await (await ctx.client()).alarms.evaluate(name!);
        ctx.emit(r, () => evaluationLines(r, ctx.io.out));
        return r.state === 'OK' ? undefined : EXIT_FAILED;
      }),
    );

  const tokens = cmd
    .command('receiver-token')
    .alias('receiver-tokens')
    .description("Tokens Alertmanager sends to Drover's receiver (admin); they allow posting alerts and nothing else");
  tokens
    .command('create <name>')
    .description('Issue a receiver token (shown only once)')
    .action(
      action(io, state, async (ctx, [name]) => {
        const t = await (await ctx.client()).alarms.receiverTokens.create(name!);
        ctx.emit(t, () => [
          `Created receiver token ${t.name} (${t.prefix}…)`,
          `token: ${t.token}`,
          'Put it in alertmanager.yml: webhook_configs[].http_config.authorization.credentials (docs/canary-and-alarms.md)',
        ]);
        ctx.note(ctx.io.err.yellow('warning: this is the only time the token is shown'));
      }),
    );
  tokens
    .command('list')
    .alias('ls')
    .description('List receiver tokens')
    .action(
      action(io, state, async (ctx) => {
        const list = await (await ctx.client()).alarms.receiverTokens.list();
        ctx.emit(list, () =>
          list.items.length === 0
            ? 'No receiver tokens. Issue one with drover alarm receiver-token create <name>'
            : table(
                ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
                list.items.map((t) => [
                  t.id,
                  t.name,
                  t.prefix,
                  time(t.createdAt),
                  t.lastUsedAt ? time(t.lastUsedAt) : '-',
                  t.revokedAt ? time(t.revokedAt) : '-',
                ]),
                ctx.io.out,
              ),
        );
      }),
    );
  tokens
    .command('revoke <id>')
    .description('Revoke a receiver token (Alertmanager using it is refused from now on)')
    .action(
      action(io, state, async (ctx, [id]) => {
        await (await ctx.client()).alarms.receiverTokens.revoke(id!);
        ctx.emit(ok, () => `Revoked receiver token ${id}`);
      }),
    );

  return cmd;
}

export function evaluationLines(r: AlarmEvaluation, c: Colors): string[] {
  return fields(
    [
      ['Alarm', `${r.alarmName} (${r.kind})`],
      [
        'State',
        stateText(r.state, c) + (r.state === 'OK' && r.conditionMet ? c.yellow(' (condition met, pending)') : ''),
      ],
      ['Detail', r.detail],
      ...(r.value !== null ? ([['Value', String(r.value)]] as [string, string][]) : []),
      ...(r.pendingSince ? ([['Pending since', time(r.pendingSince)]] as [string, string][]) : []),
      ['Observed', time(r.observedAt)],
    ],
    c,
  );
}

function describe(a: AlarmInfo, c: Colors): string[] {
  const rows: [string, string][] = [
    ['Name', a.alarmName],
    ['Kind', a.kind],
  ];
  if (a.prometheus) {
    const p = a.prometheus;
    rows.push(
      ['Prometheus', p.url],
      ['Query', p.query],
      ['Condition', `${p.comparison} ${p.threshold}${p.forSeconds ? ` for ${p.forSeconds}s` : ''}`],
      ['Timeout', `${p.timeoutSeconds}s`],
      [
        'Credentials',
        p.auth ? `${p.auth.type}${p.auth.username ? ` (${p.auth.username})` : ''}, stored sealed` : 'none',
      ],
    );
  }
  if (a.alertmanager) {
    rows.push(
      ['Alert name', a.alertmanager.alertname],
      ['Matchers', a.alertmanager.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', ') || '-'],
    );
  }
  if (a.httpProbe) {
    rows.push(
      ['URL', a.httpProbe.url],
      ['Expect status', expectText(a.httpProbe.expectStatus)],
      ['Body contains', a.httpProbe.bodyContains ?? '-'],
      ['Timeout', `${a.httpProbe.timeoutSeconds}s`],
    );
  }
  rows.push(
    ['Used by', usedByText(a)],
    ['Last state', a.lastEvaluatedAt ? `${stateText(a.lastState, c)} at ${time(a.lastEvaluatedAt)}` : '-'],
    ...(a.lastDetail ? ([['Last detail', a.lastDetail]] as [string, string][]) : []),
    ['Created', time(a.createTime)],
    ['Updated', time(a.updateTime)],
  );
  return fields(rows, c);
}
