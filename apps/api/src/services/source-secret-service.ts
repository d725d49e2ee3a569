// Source secrets: the named credentials Drover fetches revisions with (a Git host's HTTPS token or SSH deploy key, an
// S3-compatible endpoint's access keys). The secret part is sealed under SECRET_KEY (secret-box.ts) and never answered
// or audited; the grant lives on the secret itself: the applications it names (or every application) may use it, no
// other. Admins manage them; registrations name them.
import type {
  CreateSourceSecretRequest,
  SourceSecretInfo,
  SourceSecretKind,
  UpdateSourceSecretGrantsRequest,
} from '@drover/contracts';
import type { Prisma, PrismaClient, SourceSecret } from '@drover/db';
import { type Actor, conflict, forbidden, invalid, notFound, openSecret, sealSecret, writeAudit } from '@drover/engine';
import type { GitCredential } from './revision-sources/git-fetch';
import type { S3Endpoint } from './revision-sources/s3-fetch';
import { invalidField, iso, mapDbErrors, type PrismaLike } from './service-support';

const secretNotFound = (name: string) => notFound('SourceSecretDoesNotExist', `source secret ${name} does not exist`);

type Row = SourceSecret & { grants: { application: { name: string } }[] };
const withGrants = { grants: { select: { application: { select: { name: true } } } } } as const;

function toInfo(r: Row): SourceSecretInfo {
  return {
    name: r.name,
    kind: r.kind,
    settings: (r.settings ?? {}) as Record<string, unknown>,
    applications: r.grants.map((g) => g.application.name).sort(),
    allApplications: r.allApplications,
    createTime: iso(r.createdAt),
    updateTime: iso(r.updatedAt),
  };
}

/** The shown settings and the sealed part of a new secret. */
function split(req: CreateSourceSecretRequest): { settings: Prisma.InputJsonValue; secret: string } {
  switch (req.kind) {
    case 'GitToken':
      return { settings: { username: req.username }, secret: JSON.stringify({ token: req.token }) };
    case 'GitSshKey':
      return {
        settings: { knownHosts: req.knownHosts ?? null },
        secret: JSON.stringify({ privateKey: req.privateKey }),
      };
    case 'S3':
      return {
        settings: {
          endpoint: req.endpoint ?? null,
          region: req.region,
          forcePathStyle: req.forcePathStyle,
          accessKeyId: req.accessKeyId,
        },
        secret: JSON.stringify({ secretAccessKey: req.secretAccessKey }),
      };
  }
}

async function applicationIds(db: PrismaLike, names: string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  const apps = await db.application.findMany({ where: { name: { in: unique } }, select: { id: true, name: true } });
  const missing = unique.filter((n) => !apps.some((a) => a.name === n));
  if (missing.length > 0) {
    throw invalidField('InvalidInput', 'body.applications', `no application named ${missing.join(', ')}`);
  }
  return apps.map((a) => a.id);
}

export type ResolvedSecret =
  { name: string; kind: 'GitToken' | 'GitSshKey'; git: GitCredential } | { name: string; kind: 'S3'; s3: S3Endpoint };

export function createSourceSecretService(deps: { prisma: PrismaClient; secretKey: string | undefined }) {
  const { prisma, secretKey } = deps;

  async function findRow(name: string): Promise<Row> {
    const r = await prisma.sourceSecret.findUnique({ where: { name }, include: withGrants });
    if (!r) throw secretNotFound(name);
    return r;
  }

  function open(r: SourceSecret): ResolvedSecret {
    const sealed = JSON.parse(openSecret(secretKey, r.sealed)) as Record<string, string>;
    const settings = (r.settings ?? {}) as Record<string, unknown>;
    if (r.kind === 'GitToken') {
      return {
        name: r.name,
        kind: r.kind,
        git: { kind: 'token', username: String(settings.username ?? 'x-access-token'), token: sealed.token ?? '' },
      };
    }
    if (r.kind === 'GitSshKey') {
      const knownHosts = typeof settings.knownHosts === 'string' ? settings.knownHosts : undefined;
      return { name: r.name, kind: r.kind, git: { kind: 'ssh', privateKey: sealed.privateKey ?? '', knownHosts } };
    }
    return {
      name: r.name,
      kind: 'S3',
      s3: {
        endpoint: typeof settings.endpoint === 'string' ? settings.endpoint : undefined,
        region: String(settings.region ?? 'us-east-1'),
        forcePathStyle: settings.forcePathStyle !== false,
        accessKeyId: String(settings.accessKeyId ?? ''),
        secretAccessKey: sealed.secretAccessKey ?? '',
      },
    };
  }

  return {
    async create(req: CreateSourceSecretRequest, actor: Actor): Promise<SourceSecretInfo> {
      const { settings, secret } = split(req);
      const sealed = sealSecret(secretKey, secret);
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const ids = await applicationIds(tx, req.applications);
            const created = await tx.sourceSecret.create({
              data: {
                name: req.name,
                kind: req.kind,
                settings,
                sealed,
                allApplications: req.allApplications,
                grants: { create: ids.map((applicationId) => ({ applicationId })) },
              },
              include: withGrants,
            });
            await writeAudit(tx, actor, 'sourceSecret.create', 'sourceSecret', created.id, {
              name: created.name,
              kind: created.kind,
              applications: req.applications,
              allApplications: req.allApplications,
            });
            return created;
          }),
        { unique: () => conflict('SourceSecretAlreadyExists', `source secret ${req.name} already exists`) },
      );
      return toInfo(row);
    },

    async list(): Promise<{ items: SourceSecretInfo[] }> {
      const rows = await prisma.sourceSecret.findMany({ include: withGrants, orderBy: { name: 'asc' } });
      return { items: rows.map(toInfo) };
    },

    async get(name: string): Promise<SourceSecretInfo> {
      return toInfo(await findRow(name));
    },

    async updateGrants(name: string, req: UpdateSourceSecretGrantsRequest, actor: Actor): Promise<SourceSecretInfo> {
      const row = await prisma.$transaction(async (tx) => {
        const s = await tx.sourceSecret.findUnique({ where: { name } });
        if (!s) throw secretNotFound(name);
        const ids = await applicationIds(tx, req.applications);
        await tx.sourceSecretGrant.deleteMany({ where: { secretId: s.id } });
        await tx.sourceSecretGrant.createMany({
          data: ids.map((applicationId) => ({ secretId: s.id, applicationId })),
        });
        const updated = await tx.sourceSecret.update({
          where: { id: s.id },
          data: { allApplications: req.allApplications },
          include: withGrants,
        });
        await writeAudit(tx, actor, 'sourceSecret.grants', 'sourceSecret', s.id, {
          name,
          applications: req.applications,
          allApplications: req.allApplications,
        });
        return updated;
      });
      return toInfo(row);
    },

    async delete(name: string, actor: Actor): Promise<void> {
      await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const s = await tx.sourceSecret.findUnique({ where: { name } });
            if (!s) throw secretNotFound(name);
            await tx.sourceSecret.delete({ where: { id: s.id } });
            await writeAudit(tx, actor, 'sourceSecret.delete', 'sourceSecret', s.id, { name });
          }),
        {
          foreignKey: () =>
            conflict('SourceSecretInUse', `source secret ${name} is used by a Git trigger; delete the trigger first`),
        },
      );
    },

    /**
     * The credential an application may use: the named secret if it is granted to the application (or to all), of
     * one of the kinds given; with no name, the one secret of those kinds granted to the application directly, else
     * the one granted to all; none when there is none.
     */
    async resolve(
      applicationId: string,
      name: string | undefined,
      kinds: SourceSecretKind[],
      field: string,
    ): Promise<ResolvedSecret | null> {
      if (name !== undefined) {
        const r = await prisma.sourceSecret.findUnique({
          where: { name },
          include: { grants: { where: { applicationId }, select: { applicationId: true } } },
        });
        if (!r) throw invalidField('InvalidInput', field, `no source secret named ${name}`);
        if (!kinds.includes(r.kind)) {
          throw invalidField('InvalidInput', field, `${name} is a ${r.kind} secret; this needs ${kinds.join(' or ')}`);
        }
        if (!r.allApplications && r.grants.length === 0) {
          throw forbidden(`source secret ${name} is not granted to this application; an admin can grant it`);
        }
        return open(r);
      }
      const granted = await prisma.sourceSecret.findMany({
        where: { kind: { in: kinds }, OR: [{ grants: { some: { applicationId } } }, { allApplications: true }] },
        include: { grants: { where: { applicationId }, select: { applicationId: true } } },
        orderBy: { name: 'asc' },
      });
      const direct = granted.filter((g) => g.grants.length > 0);
      const pool = direct.length > 0 ? direct : granted;
      if (pool.length > 1) {
        throw invalid(
          'AmbiguousSourceSecret',
          `${field}: several secrets are granted to this application (${pool.map((p) => p.name).join(', ')}); name one`,
          { issues: [{ field, reason: 'several secrets are granted: name one' }] },
        );
      }
      return pool[0] ? open(pool[0]) : null;
    },
  };
}

export type SourceSecretService = ReturnType<typeof createSourceSecretService>;
