// Creating a deployment: snapshot the config, resolve the hosts, plan the batches and record it all in one
// transaction. The group row lock serialises creations per group, and the unique activeGroupId index makes
// "one active deployment per group" hold even if that lock were bypassed; later deployments wait as Queued.
import {
  AlarmConfiguration,
  BlueGreenDeploymentConfiguration,
  LoadBalancerInfo,
  TrafficRoutingConfig,
  type AutoRollbackConfiguration,
  type DeploymentCreator,
  type FileExistsBehavior,
  type TargetLabel,
} from '@drover/contracts';
import { Prisma, type PrismaClient } from '@drover/db';
import {
  canonicalConfigName,
  DEFAULT_CONFIG_NAME,
  findPredefinedConfig,
  DEFAULT_BLUE_GREEN_OPTIONS,
  initialBlueGreenPhase,
  lifecycleEventsFor,
  planDeployment,
  trafficPlan,
  type BlueGreenOptions,
  type MinimumHealthyHosts,
} from '@drover/domain';
import { resolveTrafficBindings } from '../traffic/balancers';
import { chooseEnvironments, type TargetInstances } from './blue-green-hosts';
import { writeAudit, type Actor } from '../infra/audit';
import type { ConfigSnapshot } from './deployment-view';
import { invalid, notFound } from '../infra/errors';
import { newDeploymentId } from '../infra/ids';
import { resolveGroupInstances } from './targets';

export interface CreateDeploymentInput {
  applicationName: string;
  deploymentGroupName: string;
  revisionId: string;
  deploymentConfigName?: string | undefined;
  description?: string | undefined;
  fileExistsBehavior?: FileExistsBehavior | undefined;
  ignoreApplicationStopFailures?: boolean | undefined;
  autoRollbackConfiguration?: AutoRollbackConfiguration | undefined;
  /** Replaces the group's alarm settings for this deployment (CodeDeploy's overrideAlarmConfiguration). */
  overrideAlarmConfiguration?: AlarmConfiguration | undefined;
  updateOutdatedInstancesOnly?: boolean | undefined;
  creator?: DeploymentCreator;
  /** Restrict to these instances (rollbacks and auto-updates target specific hosts). */
  onlyInstanceIds?: string[];
  rollbackTriggeringDeploymentId?: string;
  autoUpdateRootDeploymentId?: string;
  /** Blue/green: the replacement hosts (otherwise the group alternates between its standing pools). */
  targetInstances?: TargetInstances | undefined;
  /** A blue/green rollback: traffic goes back to these originals and leaves these replacements. */
  blueGreenRollback?: { originalIds: string[]; replacementIds: string[] };
  actor: Actor;
}

type Tx = Prisma.TransactionClient;

export async function resolveConfig(tx: Pick<Tx, 'deploymentConfig'>, name: string) {
  const canonical = canonicalConfigName(name);
  const row = await tx.deploymentConfig.findUnique({ where: { name: canonical } });
  if (row) {
    const routing = TrafficRoutingConfig.safeParse(row.trafficRoutingConfig ?? undefined);
    return {
      name: row.name,
      mhh: { type: row.minimumHealthyHostsType, value: row.minimumHealthyHostsValue },
      trafficRoutingConfig: routing.success ? routing.data : null,
    };
  }
  const predefined = findPredefinedConfig(canonical);
  if (predefined) {
    return {
      name: predefined.name,
      mhh: predefined.minimumHealthyHosts as MinimumHealthyHosts,
      trafficRoutingConfig: predefined.trafficRoutingConfig as TrafficRoutingConfig | null,
    };
  }
  throw notFound('DeploymentConfigDoesNotExist', `deployment config ${name} does not exist`);
}

export async function loadGroup(tx: Pick<Tx, 'application' | 'deploymentGroup'>, appName: string, groupName: string) {
  const app = await tx.application.findUnique({ where: { name: appName } });
  if (!app) throw notFound('ApplicationDoesNotExist', `application ${appName} does not exist`);
  const group = await tx.deploymentGroup.findUnique({
    where: { applicationId_name: { applicationId: app.id, name: groupName } },
    include: { deploymentConfig: true },
  });
  if (!group) {
    throw notFound(
      'DeploymentGroupDoesNotExist',
      `deployment group ${groupName} does not exist in application ${appName}`,
    );
  }
  return { app, group };
}

/** The alarm settings a deployment runs with: its override, else its group's; null when there are none. */
function effectiveAlarmConfiguration(
  override: AlarmConfiguration | undefined,
  stored: unknown,
): AlarmConfiguration | null {
  if (override) return override;
  const parsed = AlarmConfiguration.nullable().safeParse(stored ?? null);
  return parsed.success ? parsed.data : null;
}

/** Returns the new deployment's id. Runs inside the caller's transaction when one is given. */
export async function createDeploymentTx(tx: Tx, input: CreateDeploymentInput): Promise<string> {
  const { app, group } = await loadGroup(tx, input.applicationName, input.deploymentGroupName);
  // Serialise deployment creation per group.
  await tx.$queryRaw`SELECT id FROM deployment_groups WHERE id = ${group.id}::uuid FOR UPDATE`;
  const revision = await tx.revision.findUnique({ where: { id: input.revisionId } });
  if (!revision || revision.applicationId !== app.id) {
    throw notFound('RevisionDoesNotExist', `revision ${input.revisionId} does not exist in application ${app.name}`);
  }
  const config = await resolveConfig(
    tx,
    input.deploymentConfigName ?? group.deploymentConfig.name ?? DEFAULT_CONFIG_NAME,
  );

  const blueGreen = group.deploymentType === 'BLUE_GREEN';
  const bindings =
    blueGreen || group.deploymentOption === 'WITH_TRAFFIC_CONTROL'
      ? await resolveTrafficBindings(
          tx,
          LoadBalancerInfo.nullable().parse(group.loadBalancerInfo ?? null),
          'loadBalancerInfo',
        )
      : [];
  if (blueGreen && bindings.length === 0) {
    throw invalid(
      'InvalidLoadBalancerInfo',
      `deployment group ${group.name} is blue/green but names no load balancer; set its loadBalancerInfo`,
    );
  }
  // Canary/linear shifting moves a share of a balancer's traffic: only blue/green has two sides to share it between.
  const shifting = trafficPlan(config.trafficRoutingConfig);
  if (shifting && !blueGreen) {
    throw invalid(
      'InvalidTrafficRoutingConfiguration',
      `deployment config ${config.name} shifts traffic step by step (${config.trafficRoutingConfig?.type}), which ` +
        `needs a blue/green deployment group behind a load balancer; ${group.name} deploys in place: use a config ` +
        'without trafficRoutingConfig (e.g. AllAtOnce), or make the group blue/green',
    );
  }
  const alarms = effectiveAlarmConfiguration(input.overrideAlarmConfiguration, group.alarmConfiguration);
  // Blue/green: the plan covers the replacement hosts; the originals only give up traffic at the end.
  let originals: { id: string; name: string }[] = [];
  let hosts: Awaited<ReturnType<typeof resolveGroupInstances>>;
  if (blueGreen && input.blueGreenRollback) {
    const r = input.blueGreenRollback;
    const all = await tx.instance.findMany({
      where: { id: { in: [...r.originalIds, ...r.replacementIds] } },
      include: { tags: true },
      orderBy: { name: 'asc' },
    });
    const orig = new Set(r.originalIds);
    hosts = all.filter((h) => orig.has(h.id));
    originals = all.filter((h) => !orig.has(h.id));
  } else if (blueGreen) {
    const env = await chooseEnvironments(tx, group, input.targetInstances);
    hosts = env.replacement;
    originals = env.original;
  } else {
    hosts = await resolveGroupInstances(tx, group);
  }
  if (input.onlyInstanceIds) {
    const only = new Set(input.onlyInstanceIds);
    hosts = hosts.filter((h) => only.has(h.id));
  }
  const installed = await tx.installedRevision.findMany({
    where: { deploymentGroupId: group.id },
    select: { instanceId: true, revisionId: true },
  });
  const installedBy = new Map(installed.map((r) => [r.instanceId, r.revisionId]));
  if (input.updateOutdatedInstancesOnly) hosts = hosts.filter((h) => installedBy.get(h.id) !== revision.id);

  const isRollback = input.creator === 'rollback';
  const bgOptions = blueGreen ? blueGreenOptions(group.blueGreenConfiguration) : null;
  const unhealthy = await unhealthyInstances(
    tx,
    group.id,
    hosts.map((h) => h.id),
    installedBy,
  );
  // A blue/green rollback moves traffic only: every original host takes it back at once.
  const plan = planDeployment(
    hosts.map((h) => ({
      id: h.id,
      name: h.name,
      healthy: !unhealthy.has(h.id),
      revisionHealth: !installedBy.has(h.id) ? 'Unknown' : installedBy.get(h.id) === revision.id ? 'Current' : 'Old',
    })),
    blueGreen && input.blueGreenRollback ? { type: 'HOST_COUNT', value: 0 } : config.mhh,
  );
  // The group is busy while a deployment holds its slot, and also while one waits for it: between one deployment
  // ending and the oldest queued one taking the slot (a worker job), a new one must queue behind it, not jump ahead.
  const busy =
    (await tx.deployment.findUnique({ where: { activeGroupId: group.id }, select: { id: true } })) ??
    (await tx.deployment.findFirst({ where: { deploymentGroupId: group.id, status: 'Queued' }, select: { id: true } }));
  const id = newDeploymentId();
  const snapshot: ConfigSnapshot = {
    name: config.name,
    type: config.mhh.type,
    value: config.mhh.value,
    batchSize: plan.ok ? plan.batchSize : 0,
  };
  const lastGood = group.lastSuccessfulDeploymentId
    ? await tx.deployment.findUnique({ where: { id: group.lastSuccessfulDeploymentId }, select: { revisionId: true } })
    : null;
  const now = new Date();
  await tx.deployment.create({
    data: {
      id,
      applicationId: app.id,
      deploymentGroupId: group.id,
      revisionId: revision.id,
      previousRevisionId: lastGood?.revisionId ?? null,
      status: !plan.ok ? 'Failed' : busy ? 'Queued' : 'Created',
      activeGroupId: plan.ok && !busy ? group.id : null,
      errorCode: plan.ok ? null : plan.errorCode,
      errorMessage: plan.ok ? null : plan.message,
      // Set here rather than by the column default, so a deployment refused at planning never ends before it began.
      createdAt: now,
      completedAt: plan.ok ? null : now,
      creator: input.creator ?? 'user',
      createdBy: input.actor.name,
      description: input.description ?? null,
      configSnapshot: snapshot as unknown as Prisma.InputJsonValue,
      deploymentType: group.deploymentType,
      deploymentOption: group.deploymentOption,
      fileExistsBehavior: input.fileExistsBehavior ?? 'DISALLOW',
      ignoreApplicationStopFailures: input.ignoreApplicationStopFailures ?? false,
      updateOutdatedInstancesOnly: input.updateOutdatedInstancesOnly ?? false,
      autoRollbackConfiguration: (input.autoRollbackConfiguration ??
        group.autoRollbackConfiguration ??
        Prisma.DbNull) as Prisma.InputJsonValue,
      rollbackTriggeringDeploymentId: input.rollbackTriggeringDeploymentId ?? null,
      autoUpdateRootDeploymentId: input.autoUpdateRootDeploymentId ?? null,
      minimumHealthyHosts: plan.minimumHealthy,
      trafficBindings: bindings.length ? (bindings as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      blueGreenConfig: bgOptions ? (bgOptions as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      blueGreenPhase: blueGreen ? initialBlueGreenPhase(isRollback && !!input.blueGreenRollback) : null,
      trafficPlan: shifting && !isRollback ? (shifting as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      alarmConfiguration: alarms ? (alarms as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      alarmConfigurationOverridden: input.overrideAlarmConfiguration !== undefined,
      // A rollback is not watched: it is what an alarm asks for (CodeDeploy's override exists to roll back while
      // the alarm still fires).
      alarmCheckDueAt: plan.ok && alarms?.enabled && alarms.alarms.length > 0 && !isRollback ? now : null,
      batchCount: plan.ok ? plan.batches.length : 0,
      pendingCount: plan.ok ? plan.hostCount : 0,
    },
  });
  if (plan.ok) {
    const byId = new Map(hosts.map((h) => [h.id, h]));
    const order = plan.batches.flatMap((b, batch) => b.map((hostId) => ({ hostId, batch })));
    // Gaining traffic: the replacement (Green), or in a blue/green rollback the originals (Blue).
    const gainingLabel: TargetLabel | null = blueGreen ? (input.blueGreenRollback ? 'Blue' : 'Green') : null;
    const losingLabel: TargetLabel | null = blueGreen ? (input.blueGreenRollback ? 'Green' : 'Blue') : null;
    const eventsOf = (label: TargetLabel | null) =>
      lifecycleEventsFor({
        deploymentType: group.deploymentType,
        deploymentOption: group.deploymentOption,
        label,
        isRollback,
      }).map((e) => e.name);
    await insertTargetsAndEvents(
      tx,
      id,
      order.map((o, position) => ({
        instanceId: o.hostId,
        name: byId.get(o.hostId)?.name ?? o.hostId,
        batch: o.batch,
        position,
      })),
      gainingLabel,
      eventsOf(gainingLabel),
    );
    if (losingLabel && originals.length > 0) {
      await insertTargetsAndEvents(
        tx,
        id,
        originals.map((h, i) => ({
          instanceId: h.id,
          name: h.name,
          batch: plan.batches.length,
          position: order.length + i,
        })),
        losingLabel,
        eventsOf(losingLabel),
      );
    }
  }
  await tx.deploymentGroup.update({ where: { id: group.id }, data: { lastAttemptedDeploymentId: id } });
  await tx.revision.update({
    where: { id: revision.id },
    data: { lastUsedAt: now, ...(revision.firstUsedAt ? {} : { firstUsedAt: now }) },
  });
  await writeAudit(tx, input.actor, 'deployment.create', 'deployment', id, {
    application: app.name,
    group: group.name,
    revisionId: revision.id,
    config: config.name,
    creator: input.creator ?? 'user',
  });
  // Overriding the group's alarms needs the right to change the group (the API checks it); it is audited on its own.
  if (input.overrideAlarmConfiguration) {
    await writeAudit(tx, input.actor, 'deployment.override_alarms', 'deployment', id, {
      group: group.name,
      groupAlarmConfiguration: group.alarmConfiguration ?? null,
      overrideAlarmConfiguration: input.overrideAlarmConfiguration,
    });
  }
  return id;
}

/**
 * CodeDeploy's instance health (codedeploy.md §4.2, [UG instances-health]): a host is Unhealthy when the last attempt
 * to deploy to it in this group failed, or when nothing has been deployed to it in this group yet; it is Healthy when
 * that last attempt succeeded. Hosts a deployment skipped keep the health they had. Unhealthy hosts are deployed
 * first, so a host that always fails fails a OneAtATime deployment instead of being the forgiven last one.
 */
export async function unhealthyInstances(
  db: Pick<PrismaClient | Tx, '$queryRaw'>,
  groupId: string,
  instanceIds: readonly string[],
  installedBy: ReadonlyMap<string, string>,
): Promise<Set<string>> {
  if (instanceIds.length === 0) return new Set();
  const last = await db.$queryRaw<{ instanceId: string; status: string }[]>`
    SELECT DISTINCT ON (t."instanceId") t."instanceId", t.status::text AS status
      FROM deployment_targets t JOIN deployments d ON d.id = t."deploymentId"
     WHERE t."instanceId" = ANY(${[...instanceIds]}::uuid[]) AND d."deploymentGroupId" = ${groupId}::uuid
       AND t.status IN ('Succeeded', 'Failed') AND t."startedAt" IS NOT NULL
     ORDER BY t."instanceId", t."startedAt" DESC`;
  const lastStatus = new Map(last.map((r) => [r.instanceId, r.status]));
  return new Set(
    instanceIds.filter((id) => (lastStatus.has(id) ? lastStatus.get(id) === 'Failed' : !installedBy.has(id))),
  );
}

async function insertTargetsAndEvents(
  tx: Tx,
  deploymentId: string,
  targets: { instanceId: string; name: string; batch: number; position: number }[],
  label: TargetLabel | null,
  eventNames: string[],
) {
  // Bulk insert through unnest: thousands of hosts × events in two statements.
  const CHUNK = 5000;
  for (let i = 0; i < targets.length; i += CHUNK) {
    const part = targets.slice(i, i + CHUNK);
    await tx.$executeRaw`
      INSERT INTO deployment_targets (id, "deploymentId", "instanceId", "instanceName", label, batch, position, status, "updatedAt")
      SELECT gen_random_uuid(), ${deploymentId}, t.iid, t.name, ${label}::"TargetLabel", t.batch, t.pos, 'Pending', now()
      FROM unnest(${part.map((t) => t.instanceId)}::uuid[], ${part.map((t) => t.name)}::text[],
                  ${part.map((t) => t.batch)}::int[], ${part.map((t) => t.position)}::int[]) AS t(iid, name, batch, pos)`;
  }
  await tx.$executeRaw`
    INSERT INTO lifecycle_events (id, "deploymentId", "targetId", "instanceId", name, position, status)
    SELECT gen_random_uuid(), t."deploymentId", t.id, t."instanceId", ev.name, ev.pos, 'Pending'
    FROM deployment_targets t
    CROSS JOIN unnest(${eventNames}::text[]) WITH ORDINALITY AS ev(name, pos)
    WHERE t."deploymentId" = ${deploymentId} AND t.label IS NOT DISTINCT FROM ${label}::"TargetLabel"`;
}

function assertCreatable(input: { description?: string | undefined }) {
  if (input.description && input.description.length > 256) {
    throw invalid('DescriptionTooLong', 'description: at most 256 characters');
  }
}

export async function createDeployment(prisma: PrismaClient, input: CreateDeploymentInput): Promise<string> {
  assertCreatable(input);
  // Creations on one group queue on its row lock while holding a connection; give a burst time to drain.
  return prisma.$transaction((tx) => createDeploymentTx(tx, input), { timeout: 60_000, maxWait: 30_000 });
}

/** The group's blue/green settings as the engine's rule reads them (CodeDeploy's defaults where a part is unset). */
export function blueGreenOptions(stored: unknown): BlueGreenOptions {
  const parsed = BlueGreenDeploymentConfiguration.nullable().safeParse(stored ?? null);
  const c = parsed.success ? parsed.data : null;
  return {
    readyAction: c?.deploymentReadyOption?.actionOnTimeout ?? DEFAULT_BLUE_GREEN_OPTIONS.readyAction,
    readyWaitMinutes: c?.deploymentReadyOption?.waitTimeInMinutes ?? DEFAULT_BLUE_GREEN_OPTIONS.readyWaitMinutes,
    terminateAction: c?.terminateBlueInstancesOnDeploymentSuccess?.action ?? DEFAULT_BLUE_GREEN_OPTIONS.terminateAction,
    terminationWaitMinutes:
      c?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ??
      DEFAULT_BLUE_GREEN_OPTIONS.terminationWaitMinutes,
  };
}
