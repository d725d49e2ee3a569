// drover deployment: list, get, targets, plan, stop, rollback, continue and wait.
import { DEPLOYMENT_STATUSES, type DeploymentInfo, type PlanResponse, type TargetInfo } from '@drover/contracts';
import { collectPages } from '@drover/client';
import { Command, InvalidArgumentError } from 'commander';
import type { Context } from '../context';
import type { Io } from '../io';
import { followDeployment } from '../output/follow-deployment';
import { duration, fields, shortId, status, table, time } from '../output/format';
import { failureText } from '../output/progress-render';
import { currentEvent, eventProgress } from '../output/progress-state';
import { waitOptions } from './deploy';
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
      ['Batches', `${Math.max(0, d.currentBatch + 1)}/${d.batchCount}`],
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
  );
}

export function targetRows(targets: TargetInfo[], ctx: Context): string[] {
  const c = ctx.io.out;
  return table(
    ['HOST', 'BATCH', 'STATUS', 'EVENT', 'DETAIL'],
    targets.map((t) => {
      const ev = currentEvent(t);
      const { done, total } = eventProgress(t);
      return [
        t.targetId,
        String(t.batch + 1),
        status(t.status, c),
        ev ? `${ev.lifecycleEventName} (${done}/${total})` : '-',
        t.status === 'Failed' ? failureText(t).trim() : '',
      ];
    }),
    c,
  );
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
    .action(
      action(io, state, async (ctx, [id]) => {
        const client = await ctx.client();
        const page = await collectPages((cursor) => client.deployments.targets(id!, { cursor }));
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

  cmd
    .command('continue <deployment-id>')
    .description('Continue a blue/green deployment waiting in Ready')
    .action(
      action(io, state, async (ctx, [id]) => {
        const d = await (await ctx.client()).deployments.continue(id!);
        ctx.emit(d, () => `${d.deploymentId}: ${status(d.status, ctx.io.out)}`);
      }),
    );

  waitOptions(
    cmd
      .command('wait <deployment-id>')
      .description('Follow a deployment to its end: exit 0 Succeeded, 1 Failed or Stopped'),
  ).action(
    action<{ timeout?: number }>(io, state, async (ctx, [id], opts) =>
      followDeployment(ctx, await ctx.client(), id!, { timeoutSeconds: opts.timeout }),
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
  drover deployment wait d-ABCDEFGHI --timeout 600`,
  );
  return cmd;
}
