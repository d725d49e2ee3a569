// Deployment groups: targeting (tag filters XOR tag set, plus explicit names), the deployment config, style,
// auto-rollback, the load balancers traffic control drives (checked against /v1/load-balancers when saved), and
// settings stored now for later features (alarms, triggers).
import {
  AlarmConfiguration,
  AutoRollbackConfiguration,
  BlueGreenDeploymentConfiguration,
  LoadBalancerInfo,
  MAX_TAG_SET_GROUPS,
  MAX_TAGS_PER_GROUP,
  TagFilter,
  TriggerConfig,
  type CreateDeploymentGroupRequest,
  type DeploymentGroupDetail,
  type DeploymentGroupInfo,
  type DeploymentGroupPage,
  type LastDeploymentInfo,
  type UpdateDeploymentGroupRequest,
} from '@drover/contracts';
import { Prisma, type DeploymentGroup, type PrismaClient } from '@drover/db';
import { DEFAULT_CONFIG_NAME } from '@drover/domain';
import {
  type Actor,
  balancerNames,
  conflict,
  notFound,
  resolveGroupInstances,
  resolveTrafficBindings,
  writeAudit,
} from '@drover/engine';
import { z } from 'zod';
import { findApplication } from './application-service';
import type { DeploymentConfigService } from './deployment-config-service';
import { withFieldIssue } from './load-balancer-service';
import { checkAlarmNames } from './alarm-service';
import { checkTriggerTargets } from './notification-target-service';
import {
  UNFINISHED_DEPLOYMENT_STATUSES,
  decodeCursor,
  invalidField,
  iso,
  isoOrNull,
  isOnline,
  mapDbErrors,
  page,
  type PrismaLike,
} from './service-support';

const groupNotFound = (app: string, group: string) =>
  notFound('DeploymentGroupDoesNotExist', `deployment group ${group} does not exist in application ${app}`);
const groupExists = (app: string, group: string) =>
  conflict('DeploymentGroupAlreadyExists', `deployment group ${group} already exists in application ${app}`);

type GroupRow = DeploymentGroup & { application: { name: string }; deploymentConfig: { name: string } };
const withNames = { application: { select: { name: true } }, deploymentConfig: { select: { name: true } } } as const;

const Filters = z.array(TagFilter);
const StoredTagSet = z.array(z.array(TagFilter)).nullable();
const Triggers = z.array(TriggerConfig);
const nullableJson = <T extends z.ZodTypeAny>(s: T, v: unknown): z.infer<T> | null =>
  v === null || v === undefined ? null : s.parse(v);

/** The settings that must be consistent together, after a create or a PATCH is applied. */
interface Settings {
  tagFilters: TagFilter[];
  tagSet: TagFilter[][] | null;
  deploymentType: 'IN_PLACE' | 'BLUE_GREEN';
  deploymentOption: 'WITH_TRAFFIC_CONTROL' | 'WITHOUT_TRAFFIC_CONTROL';
  loadBalancerInfo: LoadBalancerInfo | null;
  autoRollbackConfiguration: AutoRollbackConfiguration | null;
}

function validateSettings(s: Settings) {
  if (s.tagFilters.length > 0 && s.tagSet && s.tagSet.length > 0) {
    throw invalidField('InvalidTagCombination', 'body.tagSet', 'use either tagFilters or tagSet, not both');
  }
  if (s.tagFilters.length > MAX_TAGS_PER_GROUP) {
    throw invalidField('TagLimitExceeded', 'body.tagFilters', `at most ${MAX_TAGS_PER_GROUP} tag filters`);
  }
  if (s.tagSet && s.tagSet.length > MAX_TAG_SET_GROUPS) {
    throw invalidField('TagSetListLimitExceeded', 'body.tagSet', `at most ${MAX_TAG_SET_GROUPS} tag groups`);
  }
  s.tagSet?.forEach((g, i) => {
    if (g.length > MAX_TAGS_PER_GROUP) {
      throw invalidField('TagLimitExceeded', `body.tagSet.${i}`, `at most ${MAX_TAGS_PER_GROUP} tags in a tag group`);
    }
  });
  if (s.autoRollbackConfiguration?.enabled && s.autoRollbackConfiguration.events.length === 0) {
    throw invalidField(
      'InvalidAutoRollbackConfig',
      'body.autoRollbackConfiguration.events',
      'name at least one event when enabled',
    );
  }
  if (s.deploymentType === 'BLUE_GREEN' && balancerNames(s.loadBalancerInfo).length === 0) {
    throw invalidField(
      'InvalidLoadBalancerInfo',
      'body.loadBalancerInfo',
      'blue/green needs a load balancer: name one in targetGroupInfoList (<balancer> or <balancer>/<backend>)',
    );
  }
  if (s.deploymentOption === 'WITH_TRAFFIC_CONTROL' && !s.loadBalancerInfo) {
    throw invalidField('InvalidLoadBalancerInfo', 'body.loadBalancerInfo', 'required with WITH_TRAFFIC_CONTROL');
  }
}

/**
 * The balancers and backends loadBalancerInfo names must exist when the group is saved, not when a deployment reaches
 * BlockTraffic. Their rows are share-locked until the group is committed, so a balancer cannot be deleted under it.
 */
async function checkLoadBalancers(tx: PrismaLike, info: LoadBalancerInfo | null) {
  if (!info) return;
  const names = [...new Set(balancerNames(info).map((n) => n.split('/')[0] ?? n))];
  if (names.length > 0) {
    await tx.$queryRaw`SELECT id FROM load_balancers WHERE name = ANY(${names}::text[]) FOR SHARE`;
  }
  try {
    await resolveTrafficBindings(tx, info, 'body.loadBalancerInfo');
  } catch (err) {
    throw withFieldIssue(err, 'body.loadBalancerInfo');
  }
}

/** Prisma wants DbNull, not null, to clear a nullable JSON column. */
const json = (v: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull =>
  v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue);

function toDeploymentGroupInfo(g: GroupRow, last: Map<string, LastDeploymentInfo>): DeploymentGroupInfo {
  return {
    deploymentGroupId: g.id,
    deploymentGroupName: g.name,
    applicationName: g.application.name,
    deploymentConfigName: g.deploymentConfig.name,
    computePlatform: 'Server',
    tagFilters: Filters.parse(g.tagFilters),
    tagSet: StoredTagSet.parse(g.tagSet ?? null),
    instanceNames: g.instanceNames,
    deploymentStyle: { deploymentType: g.deploymentType, deploymentOption: g.deploymentOption },
    autoRollbackConfiguration: nullableJson(AutoRollbackConfiguration, g.autoRollbackConfiguration),
    alarmConfiguration: nullableJson(AlarmConfiguration, g.alarmConfiguration),
    triggerConfigurations: Triggers.parse(g.triggerConfigurations ?? []),
    loadBalancerInfo: nullableJson(LoadBalancerInfo, g.loadBalancerInfo),
    blueGreenDeploymentConfiguration: nullableJson(BlueGreenDeploymentConfiguration, g.blueGreenConfiguration),
    outdatedInstancesStrategy: g.outdatedInstancesStrategy,
    lastSuccessfulDeployment: (g.lastSuccessfulDeploymentId && last.get(g.lastSuccessfulDeploymentId)) || null,
    lastAttemptedDeployment: (g.lastAttemptedDeploymentId && last.get(g.lastAttemptedDeploymentId)) || null,
    createTime: iso(g.createdAt),
    updateTime: iso(g.updatedAt),
  };
}

async function lastDeployments(db: PrismaLike, groups: DeploymentGroup[]): Promise<Map<string, LastDeploymentInfo>> {
  const ids = [
    ...new Set(groups.flatMap((g) => [g.lastSuccessfulDeploymentId, g.lastAttemptedDeploymentId]).filter((x) => !!x)),
  ] as string[];
  if (ids.length === 0) return new Map();
  const rows = await db.deployment.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, createdAt: true, completedAt: true },
  });
  return new Map(
    rows.map((d) => [
      d.id,
      { deploymentId: d.id, status: d.status, createTime: iso(d.createdAt), endTime: isoOrNull(d.completedAt) },
    ]),
  );
}

/** The group row by application and group name, or the matching DoesNotExist error. */
export async function findGroup(db: PrismaLike, appName: string, groupName: string): Promise<GroupRow> {
  const app = await findApplication(db, appName);
  const g = await db.deploymentGroup.findUnique({
    where: { applicationId_name: { applicationId: app.id, name: groupName } },
    include: withNames,
  });
  if (!g) throw groupNotFound(appName, groupName);
  return g;
}

const NameCursor = z.object({ n: z.string() });

export function createDeploymentGroupService(deps: {
  prisma: PrismaClient;
  configs: DeploymentConfigService;
  agentLostAfterSeconds: number;
}) {
  const { prisma, configs } = deps;

  return {
    async create(appName: string, input: CreateDeploymentGroupRequest, actor: Actor): Promise<DeploymentGroupInfo> {
      const style = input.deploymentStyle ?? {
        deploymentType: 'IN_PLACE',
        deploymentOption: 'WITHOUT_TRAFFIC_CONTROL',
      };
      const tagFilters = input.tagFilters ?? [];
      const tagSet = input.tagSet && input.tagSet.length > 0 ? input.tagSet : null;
      validateSettings({
        tagFilters,
        tagSet,
        deploymentType: style.deploymentType,
        deploymentOption: style.deploymentOption,
        loadBalancerInfo: input.loadBalancerInfo ?? null,
        autoRollbackConfiguration: input.autoRollbackConfiguration ?? null,
      });
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const app = await findApplication(tx, appName);
            const config = await configs.find(tx, input.deploymentConfigName ?? DEFAULT_CONFIG_NAME);
            await checkLoadBalancers(tx, input.loadBalancerInfo ?? null);
            await checkAlarmNames(tx, input.alarmConfiguration, 'body.alarmConfiguration');
            await checkTriggerTargets(tx, input.triggerConfigurations, 'body.triggerConfigurations');
            const created = await tx.deploymentGroup.create({
              data: {
                applicationId: app.id,
                name: input.deploymentGroupName,
                deploymentConfigId: config.id,
                tagFilters,
                ...(tagSet ? { tagSet } : {}),
                instanceNames: [...new Set(input.instanceNames ?? [])],
                deploymentType: style.deploymentType,
                deploymentOption: style.deploymentOption,
                ...(input.loadBalancerInfo ? { loadBalancerInfo: input.loadBalancerInfo } : {}),
                ...(input.autoRollbackConfiguration
                  ? { autoRollbackConfiguration: input.autoRollbackConfiguration }
                  : {}),
                ...(input.alarmConfiguration ? { alarmConfiguration: input.alarmConfiguration } : {}),
                triggerConfigurations: input.triggerConfigurations ?? [],
                ...(input.blueGreenDeploymentConfiguration
                  ? { blueGreenConfiguration: input.blueGreenDeploymentConfiguration }
                  : {}),
                ...(input.outdatedInstancesStrategy
                  ? { outdatedInstancesStrategy: input.outdatedInstancesStrategy }
                  : {}),
              },
              include: withNames,
            });
            await writeAudit(tx, actor, 'deploymentGroup.create', 'deploymentGroup', created.id, {
              applicationName: app.name,
              deploymentGroupName: created.name,
              deploymentConfigName: config.name,
            });
            return created;
          }),
        { unique: () => groupExists(appName, input.deploymentGroupName) },
      );
      return toDeploymentGroupInfo(row, new Map());
    },

    async list(appName: string, q: { cursor?: string | undefined; limit: number }): Promise<DeploymentGroupPage> {
      const app = await findApplication(prisma, appName);
      const after = decodeCursor(NameCursor, q.cursor);
      const rows = await prisma.deploymentGroup.findMany({
        where: { applicationId: app.id, ...(after ? { name: { gt: after.n } } : {}) },
        include: withNames,
        orderBy: { name: 'asc' },
        take: q.limit + 1,
      });
      const last = await lastDeployments(prisma, rows);
      return page(
        rows,
        q.limit,
        (g) => toDeploymentGroupInfo(g, last),
        (g) => ({ n: g.name }),
      );
    },

    async get(appName: string, groupName: string): Promise<DeploymentGroupDetail> {
      const g = await findGroup(prisma, appName, groupName);
      const [last, hosts, installed] = await Promise.all([
        lastDeployments(prisma, [g]),
        resolveGroupInstances(prisma, g),
        prisma.installedRevision.findMany({ where: { deploymentGroupId: g.id } }),
      ]);
      const byInstance = new Map(installed.map((r) => [r.instanceId, r]));
      const now = Date.now();
      return {
        ...toDeploymentGroupInfo(g, last),
        instances: hosts.map((h) => {
          const r = byInstance.get(h.id);
          return {
            instanceId: h.id,
            instanceName: h.name,
            online: isOnline(h, deps.agentLostAfterSeconds, now),
            lastSeenAt: isoOrNull(h.lastSeenAt),
            installedRevision: r
              ? { revisionId: r.revisionId, deploymentId: r.deploymentId, installedAt: iso(r.installedAt) }
              : null,
          };
        }),
      };
    },

    async update(
      appName: string,
      groupName: string,
      patch: UpdateDeploymentGroupRequest,
      actor: Actor,
    ): Promise<DeploymentGroupInfo> {
      const newName = patch.newDeploymentGroupName ?? groupName;
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const current = await findGroup(tx, appName, groupName);
            await tx.$queryRaw`SELECT id FROM deployment_groups WHERE id = ${current.id}::uuid FOR UPDATE`;
            const was = toDeploymentGroupInfo(current, new Map());
            const style = { ...was.deploymentStyle, ...(patch.deploymentStyle ?? {}) };
            const tagFilters = patch.tagFilters ?? was.tagFilters;
            const tagSetInput = patch.tagSet === undefined ? was.tagSet : patch.tagSet;
            const tagSet = tagSetInput && tagSetInput.length > 0 ? tagSetInput : null;
            const loadBalancerInfo =
              patch.loadBalancerInfo === undefined ? was.loadBalancerInfo : patch.loadBalancerInfo;
            const autoRollback =
              patch.autoRollbackConfiguration === undefined
                ? was.autoRollbackConfiguration
                : patch.autoRollbackConfiguration;
            validateSettings({
              tagFilters,
              tagSet,
              deploymentType: style.deploymentType,
              deploymentOption: style.deploymentOption,
              loadBalancerInfo,
              autoRollbackConfiguration: autoRollback,
            });
            const config = patch.deploymentConfigName ? await configs.find(tx, patch.deploymentConfigName) : null;
            await checkLoadBalancers(tx, loadBalancerInfo);
            // Only a new alarmConfiguration is checked: a stored one naming a since-deleted alarm cannot happen (delete
            // refuses), and other edits of the group must not fail over it.
            await checkAlarmNames(tx, patch.alarmConfiguration, 'body.alarmConfiguration');
            await checkTriggerTargets(tx, patch.triggerConfigurations, 'body.triggerConfigurations');
            const updated = await tx.deploymentGroup.update({
              where: { id: current.id },
              data: {
                name: newName,
                ...(config ? { deploymentConfigId: config.id } : {}),
                tagFilters,
                tagSet: json(tagSet),
                ...(patch.instanceNames ? { instanceNames: [...new Set(patch.instanceNames)] } : {}),
                deploymentType: style.deploymentType,
                deploymentOption: style.deploymentOption,
                loadBalancerInfo: json(loadBalancerInfo),
                autoRollbackConfiguration: json(autoRollback),
                ...(patch.alarmConfiguration !== undefined
                  ? { alarmConfiguration: json(patch.alarmConfiguration) }
                  : {}),
                ...(patch.triggerConfigurations ? { triggerConfigurations: patch.triggerConfigurations } : {}),
                ...(patch.blueGreenDeploymentConfiguration !== undefined
                  ? { blueGreenConfiguration: json(patch.blueGreenDeploymentConfiguration) }
                  : {}),
                ...(patch.outdatedInstancesStrategy
                  ? { outdatedInstancesStrategy: patch.outdatedInstancesStrategy }
                  : {}),
              },
              include: withNames,
            });
            await writeAudit(tx, actor, 'deploymentGroup.update', 'deploymentGroup', current.id, {
              applicationName: appName,
              deploymentGroupName: current.name,
              changes: patch as Prisma.InputJsonValue,
            });
            return { updated, last: await lastDeployments(tx, [updated]) };
          }),
        { unique: () => groupExists(appName, newName) },
      );
      return toDeploymentGroupInfo(row.updated, row.last);
    },

    async delete(appName: string, groupName: string, actor: Actor): Promise<void> {
      const busy = () =>
        conflict(
          'DeploymentGroupHasActiveDeployments',
          `deployment group ${groupName} has a deployment that has not finished; stop it or wait, then delete again`,
        );
      await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const g = await findGroup(tx, appName, groupName);
            await tx.$queryRaw`SELECT id FROM deployment_groups WHERE id = ${g.id}::uuid FOR UPDATE`;
            const unfinished = await tx.deployment.count({
              where: { deploymentGroupId: g.id, status: { in: UNFINISHED_DEPLOYMENT_STATUSES } },
            });
            if (unfinished > 0) throw busy();
            await tx.deployment.deleteMany({ where: { deploymentGroupId: g.id } });
            await tx.deploymentGroup.delete({ where: { id: g.id } });
            await writeAudit(tx, actor, 'deploymentGroup.delete', 'deploymentGroup', g.id, {
              applicationName: appName,
              deploymentGroupName: g.name,
            });
          }),
        { foreignKey: busy },
      );
    },
  };
}

export type DeploymentGroupService = ReturnType<typeof createDeploymentGroupService>;
