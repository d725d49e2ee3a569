// Applications: create, list, get, rename, delete. Deleting removes the application's groups, revisions (and their
// stored bundles) and finished deployments; it is refused while any of its deployments is unfinished.
import type { ApplicationInfo, ApplicationPage, CreateApplicationRequest } from '@drover/contracts';
import type { Application, PrismaClient } from '@drover/db';
import { type Actor, conflict, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import type { BundleStorage } from '../storage/bundle-storage';
import {
  UNFINISHED_DEPLOYMENT_STATUSES,
  decodeCursor,
  iso,
  mapDbErrors,
  page,
  type PrismaLike,
} from './service-support';

const applicationNotFound = (name: string) => notFound('ApplicationDoesNotExist', `application ${name} does not exist`);
const alreadyExists = (name: string) => conflict('ApplicationAlreadyExists', `application ${name} already exists`);

function toApplicationInfo(a: Application): ApplicationInfo {
  return {
    applicationId: a.id,
    applicationName: a.name,
    computePlatform: 'Server',
    createTime: iso(a.createdAt),
    updateTime: iso(a.updatedAt),
  };
}

/** The application row by name, or ApplicationDoesNotExist. */
export async function findApplication(db: PrismaLike, name: string): Promise<Application> {
  const app = await db.application.findUnique({ where: { name } });
  if (!app) throw applicationNotFound(name);
  return app;
}

const NameCursor = z.object({ n: z.string() });

export function createApplicationService(deps: { prisma: PrismaClient; storage: BundleStorage }) {
  const { prisma, storage } = deps;
  return {
    async create(input: CreateApplicationRequest, actor: Actor): Promise<ApplicationInfo> {
      const app = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.application.create({
              data: { name: input.applicationName, computePlatform: input.computePlatform },
            });
            await writeAudit(tx, actor, 'application.create', 'application', created.id, {
              applicationName: created.name,
            });
            return created;
          }),
        { unique: () => alreadyExists(input.applicationName) },
      );
      return toApplicationInfo(app);
    },

    /** `visibleIds`: the applications the caller may see, or null for all (access.ts). */
    async list(
      q: { cursor?: string | undefined; limit: number },
      visibleIds: string[] | null = null,
    ): Promise<ApplicationPage> {
      const after = decodeCursor(NameCursor, q.cursor);
      const rows = await prisma.application.findMany({
        where: {
          ...(after ? { name: { gt: after.n } } : {}),
          ...(visibleIds ? { id: { in: visibleIds } } : {}),
        },
        orderBy: { name: 'asc' },
        take: q.limit + 1,
      });
      return page(rows, q.limit, toApplicationInfo, (a) => ({ n: a.name }));
    },

    async get(name: string): Promise<ApplicationInfo> {
      return toApplicationInfo(await findApplication(prisma, name));
    },

    async rename(name: string, newName: string, actor: Actor): Promise<ApplicationInfo> {
      const app = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const current = await findApplication(tx, name);
            if (current.name === newName) return current;
            const renamed = await tx.application.update({ where: { id: current.id }, data: { name: newName } });
            await writeAudit(tx, actor, 'application.rename', 'application', current.id, {
              from: current.name,
              to: newName,
            });
            return renamed;
          }),
        { unique: () => alreadyExists(newName) },
      );
      return toApplicationInfo(app);
    },

    async delete(name: string, actor: Actor): Promise<void> {
      const busy = () =>
        conflict(
          'ApplicationHasActiveDeployments',
          `application ${name} has deployments that have not finished; stop them or wait, then delete again`,
        );
      const keys = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const app = await findApplication(tx, name);
            // Lock the row: a deployment created concurrently either commits first (and is seen below) or waits.
            await tx.$queryRaw`SELECT id FROM applications WHERE id = ${app.id}::uuid FOR UPDATE`;
            const unfinished = await tx.deployment.count({
              where: { applicationId: app.id, status: { in: UNFINISHED_DEPLOYMENT_STATUSES } },
            });
            if (unfinished > 0) throw busy();
            const bundles = await tx.revision.findMany({
              where: { applicationId: app.id, storageKey: { not: null } },
              select: { storageKey: true },
            });
            await tx.deployment.deleteMany({ where: { applicationId: app.id } });
            await tx.application.delete({ where: { id: app.id } });
            await writeAudit(tx, actor, 'application.delete', 'application', app.id, { applicationName: app.name });
            return bundles.flatMap((b) => (b.storageKey ? [b.storageKey] : []));
          }),
        { foreignKey: busy },
      );
      // After commit: a failed object delete leaves garbage in storage, never a revision without its bundle.
      await Promise.all(keys.map((k) => storage.delete(k).catch(() => undefined)));
    },
  };
}

export type ApplicationService = ReturnType<typeof createApplicationService>;
