// Deployments: create, stop, roll back and continue through the engine; lists with filters and cursors, targets,
// logs, and the plan preview.
import {
  DeploymentId,
  LoadBalancerInfo,
  type TrafficMapping,
  type AlarmCheckInfo,
  type CreateDeploymentRequest,
  type TrafficShiftInfo,
  type DeploymentInfo,
  type ListDeploymentsQuery,
  type PlanRequest,
  type PlanResponse,
} from '@drover/contracts';
import type { Prisma, PrismaClient } from '@drover/db';
import type { VisibleScope } from './access';
import { planDeployment } from '@drover/domain';
import {
  AppError,
  blueGreenOptions,
  chooseEnvironments,
  conflict,
  resolveTrafficBindings,
  trafficPreflight,
  type TargetInstances,
  deploymentInclude,
  loadGroup,
  notFound,
  resolveConfig,
  resolveGroupInstances,
  targetInclude,
  toDeploymentInfo,
  toTargetInfo,
  unhealthyInstances,
  type Actor,
  type Engine,
} from '@drover/engine';
import { invalidField, isOnline } from './service-support';
import { checkAlarmNames } from './alarm-service';

const deploymentNotFound = (id: string) => notFound('DeploymentDoesNotExist', `deployment ${id} does not exist`);

const badCursor = () => invalidField('InvalidNextToken', 'querystring.cursor', 'not a cursor this API returned');
const encodeCursor = (createdAt: Date, id: string) =>
  Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
function decodeCursor(c: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  // Anything but a deployment id after the "|" (a NUL byte, say) is not a cursor this API returned.
  const year = createdAt.getUTCFullYear();
  // A date PostgreSQL cannot hold (year -200000) is as forged as no date at all.
  if (!id || !DeploymentId.safeParse(id).success || Number.isNaN(year) || year < 1970 || year > 9999) {
    throw badCursor();
  }
  return { createdAt, id };
}

export function createDeploymentService(deps: {
  prisma: PrismaClient;
  engine: Pick<Engine, 'createDeployment' | 'stop' | 'rollback' | 'continue' | 'promote'>;
  agentLostAfterSeconds: number;
  secretKey: string | undefined;
}) {
  const { prisma, engine } = deps;

  async function get(id: string): Promise<DeploymentInfo> {
    const d = await prisma.deployment.findUnique({ where: { id }, include: deploymentInclude });
    if (!d) throw deploymentNotFound(id);
    return toDeploymentInfo(d);
  }

  type GroupRow = Awaited<ReturnType<typeof loadGroup>>['group'];

  /** The hosts a deployment would plan over (in place: the group's; blue/green: the replacement) and the originals. */
  async function environments(group: GroupRow, targetInstances: TargetInstances | undefined) {
    if (group.deploymentType !== 'BLUE_GREEN') {
      return { planned: await resolveGroupInstances(prisma, group), original: [], how: null };
    }
    const env = await chooseEnvironments(prisma, group, targetInstances);
    return { planned: env.replacement, original: env.original, how: env.how };
  }

  /** Every host's server in each backend the group drives, asked of the balancers now. */
  async function trafficCheck(
    group: GroupRow,
    hosts: readonly { name: string; trafficAddress: string | null }[],
  ): Promise<{
    loadBalancers: { loadBalancerName: string; backend: string }[];
    mappings: TrafficMapping[];
    problems: string[];
    unreachable: string[];
  } | null> {
    if (group.deploymentType !== 'BLUE_GREEN' && group.deploymentOption !== 'WITH_TRAFFIC_CONTROL') return null;
    const bindings = await resolveTrafficBindings(
      prisma,
      LoadBalancerInfo.nullable().parse(group.loadBalancerInfo ?? null),
      'loadBalancerInfo',
    );
    const check = await trafficPreflight(
      prisma,
      bindings,
      hosts.map((h) => ({ instanceName: h.name, trafficAddress: h.trafficAddress })),
      deps.secretKey,
    );
    return {
      loadBalancers: bindings.map((b) => ({ loadBalancerName: b.loadBalancerName, backend: b.backend })),
      mappings: check.mappings,
      problems: [...check.unreachable, ...check.unmapped],
      unreachable: check.unreachable,
    };
  }

  async function assertExists(id: string) {
    const d = await prisma.deployment.findUnique({ where: { id }, select: { id: true } });
    if (!d) throw deploymentNotFound(id);
  }

  return {
    get,

    async create(req: CreateDeploymentRequest, actor: Actor): Promise<DeploymentInfo> {
      // Traffic control is checked before anything is written: every host must have a server in every backend.
      const { group } = await loadGroup(prisma, req.applicationName, req.deploymentGroupName);
      await checkAlarmNames(prisma, req.overrideAlarmConfiguration, 'body.overrideAlarmConfiguration');
      const controlled = group.deploymentType === 'BLUE_GREEN' || group.deploymentOption === 'WITH_TRAFFIC_CONTROL';
      const env = controlled ? await environments(group, req.targetInstances) : null;
      const traffic = env ? await trafficCheck(group, [...env.planned, ...env.original]) : null;
      if (traffic?.unreachable.length) {
        throw conflict(
          'LoadBalancerUnavailable',
          `${traffic.unreachable.join('; ')}. Nothing was started: fix the balancer or its settings (PATCH /v1/load-balancers/…) and deploy again`,
        );
      }
      if (traffic?.problems.length) {
        throw invalidField('TrafficMappingInvalid', 'body.deploymentGroupName', traffic.problems.join('; '));
      }
      return get(await engine.createDeployment({ ...req, actor }));
    },

    stop: (id: string, rollback: boolean, actor: Actor, opts: { now?: boolean } = {}) =>
      engine.stop(id, rollback, actor, opts),

    /** Rolls a finished deployment back; answers the rollback deployment. */
    async rollback(id: string, actor: Actor): Promise<DeploymentInfo> {
      return get(await engine.rollback(id, actor));
    },

    async continue(id: string, waitType: 'READY_WAIT' | 'TERMINATION_WAIT', actor: Actor): Promise<DeploymentInfo> {
      await engine.continue(id, waitType, actor);
      return get(id);
    },

    async promote(id: string, actor: Actor): Promise<DeploymentInfo> {
      await engine.promote(id, actor);
      return get(id);
    },

    async trafficShifts(id: string): Promise<{ items: TrafficShiftInfo[] }> {
      await assertExists(id);
      const rows = await prisma.trafficShift.findMany({ where: { deploymentId: id }, orderBy: { startedAt: 'asc' } });
      return {
        items: rows.map((r) => ({
          percent: r.percent,
          achievedPercent: r.achievedPercent,
          reason: r.reason as TrafficShiftInfo['reason'],
          startTime: r.startedAt.toISOString(),
          endTime: r.endedAt ? r.endedAt.toISOString() : null,
          ok: r.ok,
          message: r.message,
          log: r.log,
        })),
      };
    },

    async alarmChecks(id: string): Promise<{ items: AlarmCheckInfo[] }> {
      await assertExists(id);
      const rows = await prisma.deploymentAlarmCheck.findMany({
        where: { deploymentId: id },
        orderBy: [{ firstAt: 'asc' }, { alarmName: 'asc' }],
        take: 5_000,
      });
      return {
        items: rows.map((r) => ({
          alarmName: r.alarmName,
          state: r.state as AlarmCheckInfo['state'],
          detail: r.detail,
          value: r.value,
          firstTime: r.firstAt.toISOString(),
          lastTime: r.lastAt.toISOString(),
          count: r.count,
        })),
      };
    },

    /** `visible`: the applications (and groups) the caller may read, or null for all (access.ts). */
    async list(q: ListDeploymentsQuery, visible: VisibleScope[] | null = null) {
      const where: Prisma.DeploymentWhereInput = {};
      if (visible) {
        where.AND = [
          {
            OR: visible.map((v) => ({
              applicationId: v.applicationId,
              ...(v.deploymentGroupName ? { deploymentGroup: { name: v.deploymentGroupName } } : {}),
            })),
          },
        ];
      }
      if (q.applicationName) where.application = { name: q.applicationName };
      if (q.deploymentGroupName) {
        if (!q.applicationName) {
          throw invalidField(
            'ApplicationNameRequired',
            'querystring.applicationName',
            'required with deploymentGroupName',
          );
        }
        where.deploymentGroup = { name: q.deploymentGroupName };
      }
      if (q.status) where.status = { in: q.status };
      if (q.createdAfter || q.createdBefore) {
        where.createdAt = {
          ...(q.createdAfter ? { gte: new Date(q.createdAfter) } : {}),
          ...(q.createdBefore ? { lte: new Date(q.createdBefore) } : {}),
        };
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        where.OR = [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }];
      }
      const rows = await prisma.deployment.findMany({
        where,
        include: deploymentInclude,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toDeploymentInfo),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },

    async targets(
      deploymentId: string,
      q: {
        status?: string | undefined;
        label?: 'Blue' | 'Green' | undefined;
        cursor?: string | undefined;
        limit: number;
      },
    ) {
      await assertExists(deploymentId);
      const after = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString('utf8')) : -1;
      // Positions are int4: anything else (NaN, 1e999, 2^40) is not a cursor this API returned.
      if (!Number.isInteger(after) || after < -1 || after > 2 ** 31 - 1) throw badCursor();
      const rows = await prisma.deploymentTarget.findMany({
        where: {
          deploymentId,
          position: { gt: after },
          ...(q.status ? { status: q.status as never } : {}),
          ...(q.label ? { label: q.label } : {}),
        },
        include: targetInclude,
        orderBy: { position: 'asc' },
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toTargetInfo),
        nextCursor: rows.length > q.limit && last ? Buffer.from(String(last.position)).toString('base64url') : null,
      };
    },

    async targetsById(deploymentId: string, ids: string[]) {
      const rows = await prisma.deploymentTarget.findMany({
        where: { deploymentId, id: { in: ids } },
        include: targetInclude,
      });
      return rows.map(toTargetInfo);
    },

    async target(deploymentId: string, targetName: string) {
      const t = await prisma.deploymentTarget.findFirst({
        where: { deploymentId, instanceName: targetName },
        include: targetInclude,
      });
      if (!t) throw notFound('DeploymentTargetDoesNotExist', `deployment ${deploymentId} has no target ${targetName}`);
      return toTargetInfo(t);
    },

    /** The event row behind /log, plus the chunks from fromSeq on. */
    async log(deploymentId: string, targetName: string, eventName: string, fromSeq: number) {
      const ev = await prisma.lifecycleEvent.findFirst({
        where: { deploymentId, name: eventName, target: { instanceName: targetName } },
        select: { id: true, status: true },
      });
      if (!ev)
        throw notFound('LifecycleEventDoesNotExist', `no ${eventName} event for ${targetName} in ${deploymentId}`);
      const chunks = await prisma.logChunk.findMany({
        where: { eventId: ev.id, seq: { gte: fromSeq } },
        orderBy: { seq: 'asc' },
        select: { seq: true, data: true },
      });
      return { eventId: ev.id, status: ev.status, chunks };
    },

    async plan(req: PlanRequest): Promise<PlanResponse> {
      const { group } = await loadGroup(prisma, req.applicationName, req.deploymentGroupName);
      const config = await resolveConfig(prisma, req.deploymentConfigName ?? group.deploymentConfig.name);
      const installed = new Map(
        (await prisma.installedRevision.findMany({ where: { deploymentGroupId: group.id } })).map((r) => [
          r.instanceId,
          r.revisionId,
        ]),
      );
      const problems: string[] = [];
      const env = await environments(group, req.targetInstances).catch((err: unknown) => {
        if (err instanceof AppError) problems.push(err.message);
        else throw err;
        return null;
      });
      const hosts = env ? env.planned : [];
      const unhealthy = await unhealthyInstances(
        prisma,
        group.id,
        hosts.map((h) => h.id),
        installed,
      );
      const plan = planDeployment(
        hosts.map((h) => ({
          id: h.id,
          name: h.name,
          healthy: !unhealthy.has(h.id),
          revisionHealth: !installed.has(h.id)
            ? 'Unknown'
            : req.revisionId && installed.get(h.id) === req.revisionId
              ? 'Current'
              : 'Old',
        })),
        config.mhh,
      );
      if (!plan.ok && env) problems.push(plan.message);
      const now = Date.now();
      const online = (h: { lastSeenAt: Date | null; deregisteredAt: Date | null }) =>
        isOnline(h, deps.agentLostAfterSeconds, now);
      const byId = new Map(hosts.map((h) => [h.id, h]));
      const info = (id: string) => {
        const h = byId.get(id);
        return {
          instanceName: h?.name ?? id,
          online: h ? online(h) : false,
          currentRevisionId: installed.get(id) ?? null,
        };
      };
      const traffic = env ? await trafficCheck(group, [...env.planned, ...env.original]) : null;
      if (traffic) problems.push(...traffic.problems);
      const bg = group.deploymentType === 'BLUE_GREEN' ? blueGreenOptions(group.blueGreenConfiguration) : null;
      return {
        ok: plan.ok && problems.length === 0,
        deploymentConfig: { name: config.name, minimumHealthyHosts: config.mhh },
        hostCount: plan.hostCount,
        minimumHealthyHosts: plan.minimumHealthy,
        batchSize: plan.ok ? plan.batchSize : 0,
        requiredSuccesses: plan.ok ? plan.requiredSuccesses : Math.max(plan.minimumHealthy, 1),
        batches: plan.ok ? plan.batches.map((b) => b.map(info)) : [],
        explanation: plan.ok ? plan.explanation : (problems[0] ?? plan.message),
        errorCode: !env
          ? 'INVALID_TARGET_INSTANCES'
          : plan.ok
            ? problems.length
              ? 'TRAFFIC_MAPPING'
              : null
            : plan.errorCode,
        offlineHosts: [...hosts, ...(env?.original ?? [])].filter((h) => !online(h)).map((h) => h.name),
        deploymentType: group.deploymentType,
        blueGreen:
          bg && env
            ? {
                originalHosts: env.original.map((h) => h.name),
                replacementHosts: env.planned.map((h) => h.name),
                replacementChosenBy: env.how ?? 'targetInstances',
                readyAction: bg.readyAction,
                readyWaitMinutes: bg.readyWaitMinutes,
                terminateAction: bg.terminateAction,
                terminationWaitMinutes: bg.terminationWaitMinutes,
                reroute: rerouteSentence(bg, env.original.length, env.planned.length),
              }
            : null,
        traffic: traffic ? { loadBalancers: traffic.loadBalancers, mappings: traffic.mappings } : null,
        problems,
      };
    },
  };
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;

function rerouteSentence(
  bg: { readyAction: string; readyWaitMinutes: number; terminateAction: string; terminationWaitMinutes: number },
  originals: number,
  replacements: number,
): string {
  const start =
    bg.readyAction === 'CONTINUE_DEPLOYMENT'
      ? 'as soon as they are Ready'
      : `when someone continues the deployment (it stops after ${bg.readyWaitMinutes} minutes in Ready otherwise)`;
  const end =
    bg.terminateAction === 'KEEP_ALIVE'
      ? 'the originals stay registered, out of the balancer, for a fast rollback'
      : bg.terminationWaitMinutes > 0
        ? `the originals are deregistered ${bg.terminationWaitMinutes} minutes later (hosts untouched)`
        : 'the originals are deregistered at once (hosts untouched)';
  return `${replacements} replacement host(s) take traffic ${start}; then ${originals} original host(s) are drained and leave the balancer; ${end}.`;
}
