// drover deploy: create a deployment of a revision (an existing one, or a directory pushed on the way) to a
// deployment group, and with --wait follow it to the end with a live display; the exit code is the outcome.
// Blue/green: --target-instances(-tag) names the replacement hosts, and --until-ready ends the wait at Ready.
import { FileExistsBehavior } from '@drover/contracts';
import type { DroverClient } from '@drover/client';
import { Command, Option } from 'commander';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';
import type { Io } from '../io';
import { followDeployment } from '../output/follow-deployment';
import { shortId, status } from '../output/format';
import { pushDirectory, pushOptions, revisionLine, type PushOptions } from './push';
import { action, collect, positiveInt, tagFilter, type RunState } from './shared';

interface DeployOptions extends PushOptions {
  group: string;
  revision?: string;
  dir?: string;
  config?: string;
  fileExistsBehavior?: 'DISALLOW' | 'OVERWRITE' | 'RETAIN';
  ignoreApplicationStopFailures?: boolean;
  updateOutdatedInstancesOnly?: boolean;
  autoRollback?: boolean;
  ignoreAlarms?: boolean;
  targetInstancesTag?: string[];
  targetInstances?: string[];
  wait?: boolean;
  timeout?: number;
  untilReady?: boolean;
}

/** Blue/green replacement hosts from --target-instances-tag and --target-instances (CodeDeploy's targetInstances). */
export function targetInstances(opts: Pick<DeployOptions, 'targetInstancesTag' | 'targetInstances'>) {
  const tagFilters = opts.targetInstancesTag?.map(tagFilter);
  const instanceNames = opts.targetInstances
    ?.flatMap((list) => list.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  if (opts.targetInstances && !instanceNames?.length)
    throw new UsageError('--target-instances needs at least one instance name', 'e.g. --target-instances web-5,web-6');
  if (!tagFilters?.length && !instanceNames?.length) return undefined;
  return {
    ...(tagFilters?.length ? { tagFilters } : {}),
    ...(instanceNames?.length ? { instanceNames } : {}),
  };
}

/** `--revision latest`: the application's most recently registered revision. */
async function resolveRevision(ctx: Context, client: DroverClient, opts: DeployOptions): Promise<string> {
  if (opts.dir) {
    const { revision, created } = await pushDirectory(ctx, client, opts.dir, opts);
    ctx.note(revisionLine(revision, created));
    return revision.revisionId;
  }
  if (opts.revision === 'latest') {
    const page = await client.revisions.list(opts.app, { sortBy: 'registerTime', sortOrder: 'descending', limit: 1 });
    const latest = page.items[0];
    if (!latest)
      throw new CliError(`${opts.app} has no revisions`, { hint: `push one: drover push <dir> --app ${opts.app}` });
    return latest.revisionId;
  }
  return opts.revision!;
}

export function waitOptions(cmd: Command): Command {
  return cmd.option(
    '--timeout <seconds>',
    'with --wait: give up waiting after this long (exit 1; the deployment keeps running)',
    positiveInt,
  );
}

/** --until-ready, for the commands that follow a deployment that may be blue/green. */
export function untilReadyOption(cmd: Command, withWait = true): Command {
  return cmd.option(
    '--until-ready',
    `${withWait ? 'with --wait, blue/green: ' : 'blue/green: '}stop waiting at Ready, once the replacement hosts are installed (exit 0); traffic has not moved yet`,
  );
}

export function deployCommand(io: Io, state: RunState): Command {
  const cmd = new Command('deploy')
    .description('Deploy a revision to a deployment group')
    .requiredOption('-a, --app <name>', 'application')
    .requiredOption('-g, --group <name>', 'deployment group')
    .option('-r, --revision <id>', 'revision id to deploy, or "latest"')
    .option('-d, --dir <dir>', 'push this directory first and deploy the new revision')
    .option('--config <name>', "deployment config for this deployment (default: the group's)")
    .option('--description <text>', 'shown with the deployment (and the revision, with --dir)')
    .addOption(
      new Option(
        '--file-exists-behavior <behavior>',
        'files already on the host and not from the last deployment',
      ).choices(FileExistsBehavior.options),
    )
    .option('--ignore-application-stop-failures', 'a failing ApplicationStop hook does not fail the host')
    .option('--update-outdated-instances-only', 'only hosts not already on this revision')
    .option('--auto-rollback', 'roll back automatically if this deployment fails')
    .option('--no-auto-rollback', "no automatic rollback, whatever the group's setting")
    .option(
      '--ignore-alarms',
      "do not watch the group's alarms for this deployment (overrideAlarmConfiguration; audited), e.g. to ship a fix while an alarm fires",
    )
    .option(
      '--target-instances-tag <filter>',
      'blue/green: the replacement hosts are those with this tag: key=value, key or =value (repeat: any of them)',
      collect,
    )
    .option(
      '--target-instances <names>',
      'blue/green: the replacement hosts by instance name, comma-separated (may be repeated)',
      collect,
    )
    .option('-w, --wait', 'follow the deployment to the end; exit 0 when it succeeds, 1 when it fails or stops');
  waitOptions(cmd);
  untilReadyOption(cmd);
  pushOptions(cmd, false);
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 created (or, with --wait, succeeded; with --until-ready, Ready); 1 failed, stopped or refused;
2 usage error.

Blue/green: without --target-instances(-tag) the group alternates between its two standing pools. A deployment
waiting in Ready (the replacement installed, traffic still on the original hosts) has not ended: --wait says how to
continue it and keeps waiting; --until-ready returns there instead.

Examples:
  drover deploy --app shop --group prod --dir ./build --wait
  drover deploy --app shop --group prod --revision 3f1c2a9e-… --config HalfAtATime --wait --timeout 900
  drover deploy --app shop --group prod --revision latest --output json
  drover deploy --app shop --group prod-bg --revision latest --target-instances-tag pool=green --wait --until-ready`,
  );
  return cmd.action(
    action<DeployOptions>(io, state, async (ctx, _args, opts) => {
      if (!opts.revision === !opts.dir)
        throw new UsageError('give either --revision or --dir (exactly one)', 'see drover deploy --help');
      if (opts.timeout && !opts.wait) throw new UsageError('--timeout only applies with --wait');
      if (opts.untilReady && !opts.wait) throw new UsageError('--until-ready only applies with --wait');
      const replacement = targetInstances(opts);
      const client = await ctx.client();
      const revisionId = await resolveRevision(ctx, client, opts);
      const d = await client.deployments.create({
        applicationName: opts.app,
        deploymentGroupName: opts.group,
        revisionId,
        deploymentConfigName: opts.config,
        description: opts.description,
        fileExistsBehavior: opts.fileExistsBehavior,
        ignoreApplicationStopFailures: opts.ignoreApplicationStopFailures,
        updateOutdatedInstancesOnly: opts.updateOutdatedInstancesOnly,
        autoRollbackConfiguration:
          opts.autoRollback === undefined
            ? undefined
            : { enabled: opts.autoRollback, events: opts.autoRollback ? ['DEPLOYMENT_FAILURE'] : [] },
        ...(replacement ? { targetInstances: replacement } : {}),
        ...(opts.ignoreAlarms ? { overrideAlarmConfiguration: { enabled: false, alarms: [] } } : {}),
      });
      if (!opts.wait) {
        ctx.emit(d, () => [
          `Created deployment ${d.deploymentId} of revision ${shortId(revisionId)} to ${d.applicationName}/${d.deploymentGroupName}: ${status(d.status, ctx.io.out)}`,
          ctx.io.out.dim(`Follow it: drover deployment wait ${d.deploymentId}`),
        ]);
        return;
      }
      ctx.note(`Created deployment ${d.deploymentId}`);
      return followDeployment(ctx, client, d.deploymentId, {
        timeoutSeconds: opts.timeout,
        untilReady: opts.untilReady,
      });
    }),
  );
}
