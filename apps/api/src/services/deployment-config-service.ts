// Deployment configurations. The predefined ones (OneAtATime, HalfAtATime, AllAtOnce) are seeded from code, are
// read-only and answer to their CodeDeployDefault.<Name> aliases; custom ones are validated by @drover/domain.
import type {
  CreateDeploymentConfigRequest,
  DeploymentConfigInfo,
  DeploymentConfigPage,
  MinimumHealthyHostsType,
  TrafficRoutingConfig,
  ZonalConfig,
} from '@drover/contracts';
import { TrafficRoutingConfig as TrafficRoutingSchema, ZonalConfig as ZonalSchema } from '@drover/contracts';
import { Prisma, type DeploymentConfig, type PrismaClient } from '@drover/db';
import {
  PREDEFINED_CONFIGS,
  canonicalConfigName,
  isPredefinedConfigName,
  validateCustomMinimumHealthyHosts,
} from '@drover/domain';
import { type Actor, conflict, invalid, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import { decodeCursor, invalidField, iso, mapDbErrors, page, type PrismaLike } from './service-support';

const RESERVED_PREFIX = 'CodeDeployDefault.';

const configNotFound = (name: string) =>
  notFound('DeploymentConfigDoesNotExist', `deployment config ${name} does not exist`);

/**
 * Creates the predefined configs if missing and corrects them if their stored rule drifted. Idempotent and safe to
 * run from several processes at once; the API calls it at start-up (and lazily before the first config lookup).
 */
export async function ensurePredefinedConfigs(prisma: PrismaClient): Promise<void> {
  await prisma.deploymentConfig.createMany({
    data: PREDEFINED_CONFIGS.map((c) => ({
      name: c.name,
      minimumHealthyHostsType: c.minimumHealthyHosts.type,
      minimumHealthyHostsValue: c.minimumHealthyHosts.value,
      trafficRoutingConfig: (c.trafficRoutingConfig ?? Prisma.DbNull) as Prisma.InputJsonValue,
      predefined: true,
    })),
    skipDuplicates: true,
  });
  for (const c of PREDEFINED_CONFIGS) {
    await prisma.deploymentConfig.updateMany({
      where: {
        name: c.name,
        OR: [
          { predefined: false },
          { minimumHealthyHostsType: { not: c.minimumHealthyHosts.type } },
          { minimumHealthyHostsValue: { not: c.minimumHealthyHosts.value } },
        ],
      },
      data: {
        predefined: true,
        minimumHealthyHostsType: c.minimumHealthyHosts.type,
        minimumHealthyHostsValue: c.minimumHealthyHosts.value,
        trafficRoutingConfig: (c.trafficRoutingConfig ?? Prisma.DbNull) as Prisma.InputJsonValue,
      },
    });
  }
}

function jsonOrNull<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> | null {
  if (value === null || value === undefined) return null;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function toDeploymentConfigInfo(c: DeploymentConfig): DeploymentConfigInfo {
  return {
    deploymentConfigId: c.id,
    deploymentConfigName: c.name,
    minimumHealthyHosts: {
      type: c.minimumHealthyHostsType as MinimumHealthyHostsType,
      value: c.minimumHealthyHostsValue,
    },
    computePlatform: 'Server',
    trafficRoutingConfig: jsonOrNull(TrafficRoutingSchema, c.trafficRoutingConfig),
    zonalConfig: jsonOrNull(ZonalSchema, c.zonalConfig),
    predefined: c.predefined,
    createTime: iso(c.createdAt),
  };
}

function checkTrafficRouting(t: TrafficRoutingConfig | undefined) {
  if (!t) return;
  const field = 'body.trafficRoutingConfig';
  if (t.type === 'TimeBasedCanary' && !t.timeBasedCanary) {
    throw invalidField(
      'InvalidTrafficRoutingConfiguration',
      `${field}.timeBasedCanary`,
      'required for TimeBasedCanary',
    );
  }
  if (t.type === 'TimeBasedLinear' && !t.timeBasedLinear) {
    throw invalidField(
      'InvalidTrafficRoutingConfiguration',
      `${field}.timeBasedLinear`,
      'required for TimeBasedLinear',
    );
  }
}

function checkZonal(z: ZonalConfig | undefined) {
  const per = z?.minimumHealthyHostsPerZone;
  if (!per) return;
  const problem = validateCustomMinimumHealthyHosts(per);
  if (problem) {
    throw invalidField('InvalidZonalDeploymentConfiguration', 'body.zonalConfig.minimumHealthyHostsPerZone', problem);
  }
}

const NameCursor = z.object({ n: z.string() });

export function createDeploymentConfigService(deps: { prisma: PrismaClient }) {
  const { prisma } = deps;
  let seeded: Promise<void> | null = null;
  const ready = () => {
    seeded ??= ensurePredefinedConfigs(prisma).catch((err: unknown) => {
      seeded = null;
      throw err;
    });
    return seeded;
  };

  /** A config row by any accepted spelling of its name, or DeploymentConfigDoesNotExist. */
  async function find(db: PrismaLike, name: string): Promise<DeploymentConfig> {
    await ready();
    const row = await db.deploymentConfig.findUnique({ where: { name: canonicalConfigName(name) } });
    if (!row) throw configNotFound(name);
    return row;
  }

  return {
    ensurePredefined: ready,
    find,

    async create(input: CreateDeploymentConfigRequest, actor: Actor): Promise<DeploymentConfigInfo> {
      const name = input.deploymentConfigName;
      if (name.startsWith(RESERVED_PREFIX)) {
        throw invalidField(
          'InvalidDeploymentConfigName',
          'body.deploymentConfigName',
          `custom names may not start with ${RESERVED_PREFIX}`,
        );
      }
      const exists = () => conflict('DeploymentConfigAlreadyExists', `deployment config ${name} already exists`);
      if (isPredefinedConfigName(name)) throw exists();
      const problem = validateCustomMinimumHealthyHosts(input.minimumHealthyHosts);
      if (problem) throw invalidField('InvalidMinimumHealthyHostValue', 'body.minimumHealthyHosts', problem);
      checkTrafficRouting(input.trafficRoutingConfig);
      checkZonal(input.zonalConfig);
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.deploymentConfig.create({
              data: {
                name,
                minimumHealthyHostsType: input.minimumHealthyHosts.type,
                minimumHealthyHostsValue: input.minimumHealthyHosts.value,
                computePlatform: input.computePlatform,
                ...(input.trafficRoutingConfig ? { trafficRoutingConfig: input.trafficRoutingConfig } : {}),
                ...(input.zonalConfig ? { zonalConfig: input.zonalConfig } : {}),
              },
            });
            await writeAudit(tx, actor, 'deploymentConfig.create', 'deploymentConfig', created.id, {
              deploymentConfigName: name,
              minimumHealthyHosts: input.minimumHealthyHosts,
            });
            return created;
          }),
        { unique: exists },
      );
      return toDeploymentConfigInfo(row);
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<DeploymentConfigPage> {
      await ready();
      const after = decodeCursor(NameCursor, q.cursor);
      const rows = await prisma.deploymentConfig.findMany({
        where: after ? { name: { gt: after.n } } : {},
        orderBy: { name: 'asc' },
        take: q.limit + 1,
      });
      return page(rows, q.limit, toDeploymentConfigInfo, (c) => ({ n: c.name }));
    },

    async get(name: string): Promise<DeploymentConfigInfo> {
      return toDeploymentConfigInfo(await find(prisma, name));
    },

    async delete(name: string, actor: Actor): Promise<void> {
      const inUse = () =>
        conflict(
          'DeploymentConfigInUse',
          `deployment config ${name} is used by a deployment group; change the group first`,
        );
      await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const row = await find(tx, name);
            if (row.predefined) {
              throw invalid('InvalidOperation', `${row.name} is a predefined deployment config and cannot be deleted`);
            }
            const groups = await tx.deploymentGroup.findMany({
              where: { deploymentConfigId: row.id },
              select: { name: true, application: { select: { name: true } } },
              take: 5,
            });
            if (groups.length > 0) {
              throw conflict(
                'DeploymentConfigInUse',
                `deployment config ${row.name} is used by ${groups.map((g) => `${g.application.name}/${g.name}`).join(', ')}`,
                {
                  deploymentGroups: groups.map((g) => ({
                    applicationName: g.application.name,
                    deploymentGroupName: g.name,
                  })),
                },
              );
            }
            await tx.deploymentConfig.delete({ where: { id: row.id } });
            await writeAudit(tx, actor, 'deploymentConfig.delete', 'deploymentConfig', row.id, {
              deploymentConfigName: row.name,
            });
          }),
        { foreignKey: inUse },
      );
    },
  };
}

export type DeploymentConfigService = ReturnType<typeof createDeploymentConfigService>;
