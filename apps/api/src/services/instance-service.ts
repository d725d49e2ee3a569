// Instances: hosts running drover-agent. List with filters (tags, group membership, online, registration), read one,
// add/remove tags, deregister (its credential stops working at once). Every answer carries the host's installed
// revisions (per deployment group), so the console's fleet view needs no request per host.
import type {
  AddInstanceTagsRequest,
  InstalledRevisionInfo,
  InstanceDetail,
  InstanceInfo,
  InstancePage,
  ListInstancesQuery,
  UpdateInstanceRequest,
} from '@drover/contracts';
import type { Instance, InstanceTag, Prisma, PrismaClient } from '@drover/db';
import {
  type Actor,
  autoUpdateJoinedGroupsTx,
  conflict,
  type DeploymentQueue,
  notFound,
  resolveGroupInstances,
  updatableGroupsOf,
  writeAudit,
} from '@drover/engine';
import { z } from 'zod';
import type { AuthService } from './auth-service';
import { findGroup } from './deployment-group-service';
import { decodeCursor, invalidField, iso, isoOrNull, isOnline, page, type PrismaLike } from './service-support';

type Row = Instance & { tags: InstanceTag[] };

const instanceNotFound = (name: string) => notFound('InstanceDoesNotExist', `instance ${name} does not exist`);
const notRegistered = (name: string) => conflict('InstanceNotRegistered', `instance ${name} is deregistered`);
const NameCursor = z.object({ n: z.string() });

/**
 * A traffic address (already checked by the contract) as balancers print theirs: the hostname in lower case, an IPv6
 * address in its short form, the port without leading zeros (`[FD00:0::5]:080` → `[fd00::5]:80`), so mapping servers
 * by address compares like with like. An IPv6 address with an IPv4 tail (`[::ffff:10.0.0.5]`) keeps that tail.
 */
export function canonicalTrafficAddress(text: string): string {
  const cut = text.lastIndexOf(':');
  const host = text.slice(0, cut).toLowerCase();
  const port = Number(text.slice(cut + 1));
  const short = host.startsWith('[') && !host.includes('.') ? new URL(`http://${host}/`).hostname : host;
  return `${short}:${port}`;
}

export function createInstanceService(deps: {
  prisma: PrismaClient;
  auth: AuthService;
  agentLostAfterSeconds: number;
  /** Starts the auto-update deployments a tag change creates (outdated instances). */
  queue: Pick<DeploymentQueue, 'advance'>;
}) {
  const { prisma, auth } = deps;

  function toInfo(i: Row, now = Date.now()): InstanceInfo {
    return {
      instanceId: i.id,
      instanceName: i.name,
      registrationStatus: i.deregisteredAt ? 'Deregistered' : 'Registered',
      online: isOnline(i, deps.agentLostAfterSeconds, now),
      tags: [...i.tags].sort((a, b) => a.key.localeCompare(b.key)).map((t) => ({ key: t.key, value: t.value })),
      hostname: i.hostname,
      platform: i.platform,
      agentVersion: i.agentVersion,
      lastSeenAt: isoOrNull(i.lastSeenAt),
      registerTime: iso(i.registeredAt),
      deregisterTime: isoOrNull(i.deregisteredAt),
      trafficAddress: i.trafficAddress,
    };
  }

  async function find(db: PrismaLike, name: string): Promise<Row> {
    const i = await db.instance.findUnique({ where: { name }, include: { tags: true } });
    if (!i) throw instanceNotFound(name);
    return i;
  }

  /** The hosts with the revision each last installed successfully, per deployment group: one query for all. */
  async function withInstalled(db: PrismaLike, rows: Row[], now = Date.now()): Promise<InstanceDetail[]> {
    const installed = await db.installedRevision.findMany({
      where: { instanceId: { in: rows.map((r) => r.id) } },
      include: { deploymentGroup: { select: { name: true, application: { select: { name: true } } } } },
      orderBy: { installedAt: 'desc' },
    });
    const byInstance = new Map<string, InstalledRevisionInfo[]>();
    for (const r of installed) {
      const list = byInstance.get(r.instanceId) ?? [];
      list.push({
        applicationName: r.deploymentGroup.application.name,
        deploymentGroupName: r.deploymentGroup.name,
        deploymentGroupId: r.deploymentGroupId,
        revisionId: r.revisionId,
        deploymentId: r.deploymentId,
        installedAt: iso(r.installedAt),
      });
      byInstance.set(r.instanceId, list);
    }
    return rows.map((r) => ({ ...toInfo(r, now), installedRevisions: byInstance.get(r.id) ?? [] }));
  }

  return {
    async list(q: ListInstancesQuery): Promise<InstancePage> {
      const and: Prisma.InstanceWhereInput[] = [];
      q.tag.forEach((spec) => {
        const eq = spec.indexOf('=');
        const key = eq < 0 ? spec : spec.slice(0, eq);
        if (!key) throw invalidField('InvalidTagFilter', 'querystring.tag', 'use key=value or key');
        and.push({ tags: { some: eq < 0 ? { key } : { key, value: spec.slice(eq + 1) } } });
      });
      if (!!q.applicationName !== !!q.deploymentGroupName) {
        const missing = q.applicationName ? 'deploymentGroupName' : 'applicationName';
        throw invalidField(
          'InvalidInput',
          `querystring.${missing}`,
          'give applicationName and deploymentGroupName together',
        );
      }
      if (q.applicationName && q.deploymentGroupName) {
        const group = await findGroup(prisma, q.applicationName, q.deploymentGroupName);
        const targets = await resolveGroupInstances(prisma, group);
        and.push({ id: { in: targets.map((t) => t.id) } });
      }
      const cutoff = new Date(Date.now() - deps.agentLostAfterSeconds * 1000);
      if (q.status === 'online') and.push({ deregisteredAt: null, lastSeenAt: { gte: cutoff } });
      if (q.status === 'offline') {
        and.push({ OR: [{ deregisteredAt: { not: null } }, { lastSeenAt: null }, { lastSeenAt: { lt: cutoff } }] });
      }
      if (q.registrationStatus) {
        and.push({ deregisteredAt: q.registrationStatus === 'Registered' ? null : { not: null } });
      }
      // Prisma sends startsWith as LIKE 'prefix%' without escaping: % and _ in the prefix would be wildcards.
      if (q.namePrefix) and.push({ name: { startsWith: q.namePrefix.replace(/[\\%_]/g, '\\$&') } });
      const after = decodeCursor(NameCursor, q.cursor);
      if (after) and.push({ name: { gt: after.n } });
      const rows = await prisma.instance.findMany({
        where: { AND: and },
        include: { tags: true },
        orderBy: { name: 'asc' },
        take: q.limit + 1,
      });
      const now = Date.now();
      const { items, nextCursor } = page(
        rows,
        q.limit,
        (r) => r,
        (r) => ({ n: r.name }),
      );
      return { items: await withInstalled(prisma, items, now), nextCursor };
    },

    async get(name: string): Promise<InstanceDetail> {
      return (await withInstalled(prisma, [await find(prisma, name)]))[0]!;
    },

    /** Adds tags; a key the host already has takes the new value (AddTagsToOnPremisesInstances). */
    async addTags(name: string, input: AddInstanceTagsRequest, actor: Actor): Promise<InstanceDetail> {
      const { row, autoUpdates } = await prisma.$transaction(
        async (tx) => {
          const i = await find(tx, name);
          if (i.deregisteredAt) throw notRegistered(name);
          const before = await updatableGroupsOf(tx, i.id);
          const tags = new Map(input.tags.map((t) => [t.key, t.value]));
          for (const [key, value] of tags) {
            await tx.instanceTag.upsert({
              where: { instanceId_key: { instanceId: i.id, key } },
              create: { instanceId: i.id, key, value },
              update: { value },
            });
          }
          await writeAudit(tx, actor, 'instance.addTags', 'instance', i.id, {
            instanceName: name,
            tags: [...tags].map(([key, value]) => ({ key, value })),
          });
          // New tags may make the host join groups that update outdated instances: it gets their last good revision.
          const autoUpdates = await autoUpdateJoinedGroupsTx(tx, i.id, {
            matchedBefore: before,
            trigger: 'instance.addTags',
            actor,
          });
          return { row: await find(tx, name), autoUpdates };
        },
        // Auto-updates wait for each group's row lock, which a burst of deployment creations may hold a while.
        { timeout: 30_000, maxWait: 10_000 },
      );
      for (const id of autoUpdates) await deps.queue.advance(id);
      return (await withInstalled(prisma, [row]))[0]!;
    },

    async removeTags(name: string, keys: string[], actor: Actor): Promise<InstanceDetail> {
      const row = await prisma.$transaction(async (tx) => {
        const i = await find(tx, name);
        if (i.deregisteredAt) throw notRegistered(name);
        const { count } = await tx.instanceTag.deleteMany({ where: { instanceId: i.id, key: { in: keys } } });
        await writeAudit(tx, actor, 'instance.removeTags', 'instance', i.id, {
          instanceName: name,
          keys,
          removed: count,
        });
        return find(tx, name);
      });
      return (await withInstalled(prisma, [row]))[0]!;
    },

    /** Changes a host's settings (today its traffic address); only the fields given change. */
    async update(name: string, patch: UpdateInstanceRequest, actor: Actor): Promise<InstanceDetail> {
      const row = await prisma.$transaction(async (tx) => {
        const i = await find(tx, name);
        if (patch.trafficAddress === undefined) return i;
        if (i.deregisteredAt) throw notRegistered(name);
        const trafficAddress = patch.trafficAddress === null ? null : canonicalTrafficAddress(patch.trafficAddress);
        await tx.instance.update({ where: { id: i.id }, data: { trafficAddress } });
        await writeAudit(tx, actor, 'instance.update', 'instance', i.id, {
          instanceName: name,
          trafficAddress: { from: i.trafficAddress, to: trafficAddress },
        });
        return find(tx, name);
      });
      return (await withInstalled(prisma, [row]))[0]!;
    },

    /** Deregisters: the host stops being a target and its credential is refused from now on. */
    async deregister(name: string, actor: Actor): Promise<InstanceDetail> {
      const row = await prisma.$transaction(async (tx) => {
        const i = await find(tx, name);
        if (i.deregisteredAt) throw notRegistered(name);
        await tx.instance.update({ where: { id: i.id }, data: { deregisteredAt: new Date() } });
        await writeAudit(tx, actor, 'instance.deregister', 'instance', i.id, { instanceName: name });
        return find(tx, name);
      });
      auth.forgetAgentCredentials();
      return (await withInstalled(prisma, [row]))[0]!;
    },
  };
}

export type InstanceService = ReturnType<typeof createInstanceService>;
