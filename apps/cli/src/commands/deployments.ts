// drover deployment: list, get, targets, plan, stop, rollback, continue and wait.
import { DEPLOYMENT_STATUSES, type DeploymentInfo, type PlanResponse, type TargetInfo } from '@drover/contracts';
import { collectPages, DroverApiError } from '@drover/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Context } from '../context';
import { CliError } from '../errors';
import type { Io } from '../io';
import { phaseText, sideOf, styleText, trafficText, waitNotice } from '../output/blue-green';
import { followDeployment } from '../output/follow-deployment';
import { duration, fields, shortId, status, table, time } from '../output/format';
import { failureText } from '../output/progress-render';
import { currentEvent, eventProgress } from '../output/progress-state';
import { untilReadyOption, waitOptions } from './deploy';
import { action, listOptions, listPage, type ListOpts, type RunState } from './shared';

function statuses(text: string): string {
  const bad = text.split(',').find((s) => !(DEPLOYMENT_STATUSES as readonly string[]).includes(s.trim()));
  if (bad !== undefined)
    throw new InvalidArgumentError(`unknown status "${bad}"; use ${DEPLOYMENT_STATUSES.join(', ')}.`);
  return text;
}

const took = (d: DeploymentInfo) =>
  d.startTime && d.completeTime
    ? duration(Date.parse(d.completeTime) - Date.parse(d.startTime))
    : d.startTime
      ? 'running'
      : '-';

export function deploymentLines(d: DeploymentInfo, ctx: Context): string[] {
  const c = ctx.io.out;
  const o = d.deploymentOverview;
  return fields(
    [
      ['Deployment', d.deploymentId],
      [
        'Status',
        `${status(d.status, c)}${d.stopRequested && !['Stopped', 'Succeeded', 'Failed'].includes(d.status) ? ' (stopping)' : ''}`,
      ],
      ['Error', d.errorInformation ? `${d.errorInformation.code}: ${d.errorInformation.message}` : null],
      ['Application', d.applicationName],
      ['Group', d.deploymentGroupName],
      ['Revision', `${d.revision.revisionId}${d.revision.description ? ` (${d.revision.description})` : ''}`],
      ['Config', `${d.deploymentConfig.name}, minimum ${d.minimumHealthyHosts} healthy`],
      ['Style', styleText(d)],
      [
        'Load balancers',
        d.loadBalancers.length ? d.loadBalancers.map((b) => `${b.loadBalancerName}/${b.backend}`).join(', ') : null,
      ],
      ...blueGreenFields(d),
      ['Batches', `${Math.max(0, d.currentBatch + 1)}/${Math.max(d.batchCount, d.currentBatch + 1)}`],
      [
        'Hosts',
        `${o.Succeeded} succeeded, ${o.Failed} failed, ${o.InProgress + o.Ready} in progress, ${o.Pending} pending, ${o.Skipped} skipped`,
      ],
      ['Created by', d.creator === 'user' ? (d.createdBy ?? 'user') : d.creator],
      ['Rolled back by', d.rollbackInfo.rollbackDeploymentId],
      ['Rollback of', d.rollbackInfo.rollbackTriggeringDeploymentId],
      ['Description', d.description],
      ['Created', time(d.createTime)],
      ['Took', took(d)],
    ],
    c,
  ).concat(waitNotice(d, Date.now()).map((l) => c.yellow(l)));
}

/** Blue/green only: the phase, where traffic is, and the ends of its waits. */
function blueGreenFields(d: DeploymentInfo): [string, string | null][] {
  const bg = d.blueGreen;
  if (!bg) return [];
  return [
    ['Blue/green', `${bg.isRollback ? 'rollback, ' : ''}${phaseText(bg)}`],
    ['Traffic', trafficText(bg).replace(/^traffic /, '')],
    [
      'Ready wait',
      bg.readyAction === 'CONTINUE_DEPLOYMENT'
        ? 'none (CONTINUE_DEPLOYMENT)'
        : `until continued${bg.readyWaitEndsAt ? `, or it stops at ${time(bg.readyWaitEndsAt)}` : ''} (STOP_DEPLOYMENT)`,
    ],
    [
      'Originals',
      bg.terminateAction === 'TERMINATE'
        ? `deregistered after the termination wait${bg.terminationAt ? ` (${time(bg.terminationAt)})` : ''}`
        : 'kept (KEEP_ALIVE)',
    ],
  ];
}

export function targetRows(targets: TargetInfo[], ctx: Context): string[] {
  const c = ctx.io.out;
  // Blue/green targets carry a side; in-place ones do not, and their table stays as it was.
  const sides = targets.some((t) => t.label !== null);
  return table(
    ['HOST', ...(sides ? ['SIDE'] : []), 'BATCH', 'STATUS', 'EVENT', 'DETAIL'],
    targets.map((t) => {
      const ev = currentEvent(t);
      const { done, total } = eventProgress(t);
      return [
        t.targetId,
        ...(sides ? [t.label ? `${t.label} (${sideOf(t)})` : '-'] : []),
        String(t.batch + 1),
        status(t.status, c),
        ev ? `${ev.lifecycleEventName} (${done}/${total})` : '-',
        t.status === 'Failed' ? failureText(t).trim() : '',
      ];
    }),
    c,
  );
}

const WAIT_TYPES = { ready: 'READY_WAIT', termination: 'TERMINATION_WAIT' } as const;

/** What `deployment continue` did, in words, and what to run next. */
export function continueLines(d: DeploymentInfo, wait: keyof typeof WAIT_TYPES, ctx: Context): string[] {
  const c = ctx.io.out;
  const head =
    wait === 'ready'
      ? `${d.deploymentId}: continued from Ready; traffic moves to the replacement hosts now (AllowTraffic on them, then BlockTraffic on the original hosts)`
      : `${d.deploymentId}: ended the termination wait; the original hosts are deregistered now and the deployment finishes`;
  return [`${c.green('✓')} ${head}`, c.dim(`Follow it: drover deployment wait ${d.deploymentId}`)];
}

function planLines(p: PlanResponse, ctx: Context): string[] {
  const c = ctx.io.out;
  const out = [
    `${p.ok ? c.green('✓ would run') : c.red('✗ would fail')}: ${p.explanation}`,
    ...fields(
      [
        ['Config', p.deploymentConfig.name],
        ['Hosts', p.hostCount],
        ['Minimum healthy', p.minimumHealthyHosts],
        ['Batch size', p.batchSize],
        ['Error', p.errorCode],
      ],
      c,
    ),
  ];
  p.batches.forEach((b, i) =>
    out.push(
      `batch ${i + 1}: ${b.map((h) => `${h.instanceName}${h.online ? '' : c.red(' (offline)')}${h.currentRevisionId ? c.dim(` [${shortId(h.currentRevisionId)}]`) : ''}`).join(', ')}`,
    ),
  );
  if (p.offlineHosts.length) out.push(c.yellow(`offline now: ${p.offlineHosts.join(', ')}`));
  return out;
}

export function deploymentsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('deployment')
    .alias('deployments')
    .description('Deployments: read, preview, stop, roll back, wait');

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description('List deployments, newest first')
      .option('-a, --app <name>', 'of this application')
      .option('-g, --group <name>', 'to this deployment group')
      .option('--status <statuses>', `comma-separated: ${DEPLOYMENT_STATUSES.join(',')}`, statuses),
    50,
  ).action(
    action<ListOpts & { app?: string; group?: string; status?: string }>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) =>
        client.deployments.list({
          cursor,
          limit,
          applicationName: opts.app,
          deploymentGroupName: opts.group,
          status: opts.status,
        }),
      );
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No deployments match.'
          : table(
              ['ID', 'APPLICATION', 'GROUP', 'STATUS', 'REVISION', 'CREATED', 'TOOK'],
              page.items.map((d) => [
                d.deploymentId,
                d.applicationName,
                d.deploymentGroupName,
                status(d.status, ctx.io.out),
                shortId(d.revision.revisionId),
                time(d.createTime),
                took(d),
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('get <deployment-id>')
    .description('Show a deployment and its hosts')
    .option('--no-targets', 'leave out the hosts')
    .action(
      action<{ targets: boolean }>(io, state, async (ctx, [id], opts) => {
        const client = await ctx.client();
        const d = await client.deployments.get(id!);
        if (ctx.json) return ctx.emit(d, () => undefined);
        const targets = opts.targets
          ? (await collectPages((cursor) => client.deployments.targets(id!, { cursor }))).items
          : [];
        ctx.emit(d, () => [...deploymentLines(d, ctx), ...(targets.length ? ['', ...targetRows(targets, ctx)] : [])]);
      }),
    );

  cmd
    .command('targets <deployment-id>')
    .description("A deployment's hosts with every lifecycle event")
    .addOption(
      new Option('--label <label>', 'blue/green: only the original (Blue) or replacement (Green) hosts').choices([
        'Blue',
        'Green',
      ]),
    )
    .action(
      action<{ label?: 'Blue' | 'Green' }>(io, state, async (ctx, [id], opts) => {
        const client = await ctx.client();
        const page = await collectPages((cursor) => client.deployments.targets(id!, { cursor, label: opts.label }));
        ctx.emit(page, () => targetRows(page.items, ctx));
      }),
    );

  cmd
    .command('plan')
    .description('Preview a deployment: hosts, batches and whether the minimum healthy hosts can be kept')
    .requiredOption('-a, --app <name>', 'application')
    .requiredOption('-g, --group <name>', 'deployment group')
    .option('-r, --revision <id>', 'revision (to show which hosts already run it)')
    .option('--config <name>', "deployment config (default: the group's)")
    .action(
      action<{ app: string; group: string; revision?: string; config?: string }>(
        io,
        state,
        async (ctx, _args, opts) => {
          const plan = await (
            await ctx.client()
          ).deployments.plan({
            applicationName: opts.app,
            deploymentGroupName: opts.group,
            revisionId: opts.revision,
            deploymentConfigName: opts.config,
          });
          ctx.emit(plan, () => planLines(plan, ctx));
        },
      ),
    );

  waitOptions(
    cmd
      .command('stop <deployment-id>')
      .description('Stop a running deployment (hosts already running an event finish it)')
      .option('--rollback', "also roll the touched hosts back to the group's last good revision")
      .option('-w, --wait', 'wait until it has stopped; exit 0 when it succeeded anyway, 1 when stopped or failed'),
  ).action(
    action<{ rollback?: boolean; wait?: boolean; timeout?: number }>(io, state, async (ctx, [id], opts) => {
      const client = await ctx.client();
      const r = await client.deployments.stop(id!, { rollback: opts.rollback });
      if (opts.wait) {
        ctx.note(`${id}: ${r.statusMessage}`);
        return followDeployment(ctx, client, id!, { timeoutSeconds: opts.timeout });
      }
      ctx.emit(r, () => `${id}: ${r.statusMessage}${opts.rollback ? ' (with rollback)' : ''}`);
    }),
  );

  waitOptions(
    cmd
      .command('rollback <deployment-id>')
      .description("Roll a finished deployment back: redeploy the group's previous good revision")
      .option('-w, --wait', 'follow the rollback to the end (exit code as for deploy --wait)'),
  ).action(
    action<{ wait?: boolean; timeout?: number }>(io, state, async (ctx, [id], opts) => {
      const client = await ctx.client();
      const d = await client.deployments.rollback(id!);
      if (opts.wait) {
        ctx.note(`Rolling back ${id} with ${d.deploymentId} (revision ${shortId(d.revision.revisionId)})`);
        return followDeployment(ctx, client, d.deploymentId, { timeoutSeconds: opts.timeout });
      }
      ctx.emit(
        d,
        () =>
          `Rolling back ${id} with ${d.deploymentId} (revision ${shortId(d.revision.revisionId)}). Follow it: drover deployment wait ${d.deploymentId}`,
      );
    }),
  );

  waitOptions(
    cmd
      .command('continue <deployment-id>')
      .description(
        "End a blue/green deployment's wait: reroute traffic to the replacement hosts now (ready), or deregister the original hosts now (termination)",
      )
      .addOption(
        new Option('--wait-type <wait>', 'which wait to end: Ready, or the termination wait')
          .choices(Object.keys(WAIT_TYPES))
          .default('ready'),
      )
      .option('-w, --wait', 'then follow the deployment to its end (exit code as for deploy --wait)'),
  ).action(
    action<{ waitType: keyof typeof WAIT_TYPES; wait?: boolean; timeout?: number }>(
      io,
      state,
      async (ctx, [id], opts) => {
        const client = await ctx.client();
        let d: DeploymentInfo;
        try {
          d = await client.deployments.continue(id!, WAIT_TYPES[opts.waitType]);
        } catch (err) {
          throw notWaiting(err, id!, opts.waitType);
        }
        if (opts.wait) {
          for (const l of continueLines(d, opts.waitType, ctx).slice(0, 1)) ctx.note(l);
          return followDeployment(ctx, client, id!, { timeoutSeconds: opts.timeout });
        }
        ctx.emit(d, () => continueLines(d, opts.waitType, ctx));
      },
    ),
  );

  waitOptions(
    cmd
      .command('promote <deployment-id>')
      .description(
        'Canary/linear blue/green: skip the remaining traffic steps and the bake; all traffic moves to the replacement hosts now',
      )
      .option('-w, --wait', 'then follow the deployment to its end (exit code as for deploy --wait)'),
  ).action(
    action<{ wait?: boolean; timeout?: number }>(io, state, async (ctx, [id], opts) => {
      const client = await ctx.client();
      const d = await client.deployments.promote(id!);
      const line = `${d.deploymentId}: promoted; all traffic moves to the replacement hosts at the next step`;
      if (opts.wait) {
        ctx.note(line);
        return followDeployment(ctx, client, id!, { timeoutSeconds: opts.timeout });
      }
      ctx.emit(d, () => [line]);
    }),
  );

  untilReadyOption(
    waitOptions(
      cmd
        .command('wait <deployment-id>')
        .description('Follow a deployment to its end: exit 0 Succeeded, 1 Failed or Stopped'),
    ),
    false,
  ).action(
    action<{ timeout?: number; untilReady?: boolean }>(io, state, async (ctx, [id], opts) =>
      followDeployment(ctx, await ctx.client(), id!, { timeoutSeconds: opts.timeout, untilReady: opts.untilReady }),
    ),
  );

  cmd.addHelpText(
    'after',
    `
Examples:
  drover deployment list --app shop --status InProgress,Queued
  drover deployment get d-ABCDEFGHI
  drover deployment plan --app shop --group prod --config HalfAtATime
  drover deployment stop d-ABCDEFGHI --rollback --wait
  drover deployment wait d-ABCDEFGHI --timeout 600
  drover deployment wait d-ABCDEFGHI --until-ready        # blue/green: return once it waits in Ready
  drover deployment continue d-ABCDEFGHI                  # blue/green: reroute traffic now
  drover deployment continue d-ABCDEFGHI --wait-type termination --wait`,
  );
  return cmd;
}

/** A continue that does not apply (409): the API says where the deployment is; add what to run instead. */
function notWaiting(err: unknown, id: string, wait: keyof typeof WAIT_TYPES): unknown {
  if (!(err instanceof DroverApiError) || err.code !== 'DeploymentIsNotInReadyState') return err;
  const other = wait === 'ready' ? 'termination' : 'ready';
  const hint = err.message.includes(`continue with ${WAIT_TYPES[other]}`)
    ? `it waits for the other one: drover deployment continue ${id} --wait-type ${other}`
    : `see where it is: drover deployment get ${id}`;
  return new CliError(`${err.message} (${err.code}, HTTP ${err.status})`, { hint });
}
