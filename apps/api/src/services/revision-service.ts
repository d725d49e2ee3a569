// Revisions: bundles uploaded to Drover (streamed to a temp file while hashed and size-checked, sniffed, appspec
// validated, then moved to bundle storage) or registered by URL; listed, read, and downloaded with Range support.
// The same bytes uploaded twice to one application are one revision: the second upload returns the first.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppSpecError, parseAppSpecWithWarnings, type AppSpecWarning } from '@drover/appspec';
import type {
  BundleType,
  ListRevisionsQuery,
  RegisterRevisionRequest,
  RevisionInfo,
  RevisionPage,
  RevisionSource,
  UploadRevisionQuery,
} from '@drover/contracts';
import type { Prisma, PrismaClient, Revision } from '@drover/db';
import { type Actor, AppError, invalid, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import type { BundleStorage } from '../storage/bundle-storage';
import { findApplication } from './application-service';
import { BundleError, BundleExpansionError, type FoundAppSpec } from './bundles/bundle-error';
import { findAppSpec } from './bundles/find-appspec';
import { BUNDLE_TYPE_OF, FORMAT_OF, describeFormat, sniffFormat, type SniffedFormat } from './bundles/sniff';
import { spool, tooLarge } from './bundles/spool';
import { decodeCursor, invalidField, iso, isoOrNull, isUniqueViolation, page } from './service-support';

const revisionNotFound = (id: string, app: string) =>
  notFound('RevisionDoesNotExist', `revision ${id} does not exist in application ${app}`);

const invalidRevision = (message: string, details?: unknown) => invalid('InvalidRevision', message, details);

const EXTENSION: Record<BundleType, string> = { zip: 'zip', tar: 'tar', tgz: 'tar.gz' };
const CONTENT_TYPE: Record<BundleType, string> = {
  zip: 'application/zip',
  tar: 'application/x-tar',
  tgz: 'application/gzip',
};

type RevisionRow = Revision & { application: { name: string } };

export function bundlePath(appName: string, revisionId: string): string {
  return `/v1/applications/${encodeURIComponent(appName)}/revisions/${revisionId}/bundle`;
}

function toRevisionInfo(r: RevisionRow): RevisionInfo {
  return {
    revisionId: r.id,
    applicationName: r.application.name,
    revisionType: r.revisionType,
    bundleType: r.bundleType,
    sha256: r.sha256,
    size: Number(r.size),
    description: r.description,
    appspecFilename: r.appspecFilename,
    url: r.url,
    downloadUrl: r.revisionType === 'Url' && r.url ? r.url : bundlePath(r.application.name, r.id),
    source: (r.source as RevisionSource | null) ?? null,
    registerTime: iso(r.registeredAt),
    firstUsedTime: isoOrNull(r.firstUsedAt),
    lastUsedTime: isoOrNull(r.lastUsedAt),
  };
}

const withApp = { application: { select: { name: true } } } as const;

/** A bundle ready to send: the whole object, a byte range of it, a range we cannot serve, or an external URL. */
export type BundleDownload =
  | { kind: 'redirect'; url: string }
  | { kind: 'unsatisfiable'; size: number }
  | {
      kind: 'full' | 'partial';
      stream: Readable;
      size: number;
      start: number;
      end: number;
      contentType: string;
      fileName: string;
      sha256: string;
    };

/** RFC 9110 single byte range; null = ignore the header (absent, malformed or multi-range), 'unsatisfiable' = 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

const SortCursor = z.object({ v: z.iso.datetime().nullable(), id: z.string().uuid() });
const SORT_COLUMN = { registerTime: 'registeredAt', firstUsedTime: 'firstUsedAt', lastUsedTime: 'lastUsedAt' } as const;

export function createRevisionService(deps: {
  prisma: PrismaClient;
  storage: BundleStorage;
  dataDir: string;
  maxBundleMb: number;
}) {
  const { prisma, storage } = deps;
  const tmpDir = path.join(deps.dataDir, 'tmp');

  async function find(appName: string, revisionId: string): Promise<RevisionRow> {
    const app = await findApplication(prisma, appName);
    const r = await prisma.revision.findFirst({ where: { id: revisionId, applicationId: app.id }, include: withApp });
    if (!r) throw revisionNotFound(revisionId, appName);
    return r;
  }

  /** Creates the row (and audit) or, when the same sha256 already exists in the application, returns that one. */
  async function createOrExisting(
    data: Prisma.RevisionUncheckedCreateInput,
    action: string,
    actor: Actor,
  ): Promise<{ revision: RevisionInfo; created: boolean }> {
    try {
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.revision.create({ data, include: withApp });
        await writeAudit(tx, actor, action, 'revision', created.id, {
          applicationName: created.application.name,
          sha256: created.sha256,
          bundleType: created.bundleType,
          size: Number(created.size),
          ...(created.source ? { source: created.source } : {}),
        });
        return created;
      });
      return { revision: toRevisionInfo(row), created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const existing = await prisma.revision.findUniqueOrThrow({
        where: { applicationId_sha256: { applicationId: data.applicationId, sha256: data.sha256 } },
        include: withApp,
      });
      return { revision: toRevisionInfo(existing), created: false };
    }
  }

  return {
    find,

    async upload(
      appName: string,
      q: UploadRevisionQuery,
      body: Readable | undefined,
      declaredLength: number | undefined,
      actor: Actor,
    ): Promise<{ revision: RevisionInfo; created: boolean }> {
      const app = await findApplication(prisma, appName);
      if (!body)
        throw invalidField(
          'InvalidInput',
          'body',
          'send the bundle as the raw request body (application/octet-stream)',
        );
      if (declaredLength !== undefined && declaredLength > deps.maxBundleMb * 1024 * 1024) {
        body.resume();
        throw tooLarge(deps.maxBundleMb);
      }
      await mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, `upload-${randomUUID()}`);
      try {
        const spooled = await spool(body, tmp, deps.maxBundleMb);
        if (spooled.size === 0) throw invalidField('InvalidRevision', 'body', 'the bundle is empty');
        const format = sniffFormat(spooled.head);
        if (!q.bundleType && !format) {
          throw invalidField('InvalidRevision', 'body', `the bundle is ${describeFormat(format)}`);
        }
        // Declared: it must match the bytes. Not declared: the bytes say what it is.
        const bundleType = q.bundleType ?? (format ? BUNDLE_TYPE_OF[format] : 'zip');
        if (format !== FORMAT_OF[bundleType]) {
          throw invalidRevision(
            `querystring.bundleType: declared ${q.bundleType} but the bundle is ${describeFormat(format)}`,
            {
              issues: [{ field: 'querystring.bundleType', reason: `the bundle is ${describeFormat(format)}` }],
            },
          );
        }
        const existing = await prisma.revision.findUnique({
          where: { applicationId_sha256: { applicationId: app.id, sha256: spooled.sha256 } },
          include: withApp,
        });
        if (existing) {
          // The same bytes again (a second push): the same warnings, when the appspec still reads as it did.
          const again = await inspect(tmp, format).catch(() => null);
          const revision = toRevisionInfo(existing);
          return { revision: again ? { ...revision, appspecWarnings: again.warnings } : revision, created: false };
        }

        const appspec = await inspect(tmp, format);
        const id = randomUUID();
        const key = `revisions/${app.id}/${id}.${EXTENSION[bundleType]}`;
        await storage.put(key, createReadStream(tmp), spooled.size);
        const result = await createOrExisting(
          {
            id,
            applicationId: app.id,
            revisionType: 'Upload',
            storageKey: key,
            sha256: spooled.sha256,
            size: BigInt(spooled.size),
            bundleType,
            description: q.description ?? null,
            appspecFilename: appspec.name,
          },
          'revision.upload',
          actor,
        ).catch(async (err: unknown) => {
          await storage.delete(key).catch(() => undefined);
          throw err;
        });
        // Lost a race with an identical upload: keep theirs, drop our copy.
        if (!result.created) await storage.delete(key).catch(() => undefined);
        return { ...result, revision: { ...result.revision, appspecWarnings: appspec.warnings } };
      } finally {
        await rm(tmp, { force: true });
      }
    },

    async register(appName: string, input: RegisterRevisionRequest, actor: Actor) {
      const app = await findApplication(prisma, appName);
      const name = input.appspecFilename;
      if (name.startsWith('/') || name.split('/').includes('..')) {
        throw invalidField('InvalidRevision', 'body.appspecFilename', 'must be a path inside the bundle');
      }
      return createOrExisting(
        {
          applicationId: app.id,
          revisionType: 'Url',
          url: input.url,
          sha256: input.sha256,
          size: BigInt(input.size ?? 0),
          bundleType: input.bundleType,
          description: input.description ?? null,
          appspecFilename: name,
        },
        'revision.register',
        actor,
      );
    },

    /** A bundle Drover built or fetched itself (Git, S3) and spooled to file: checked as an upload is (format,
     *  appspec), stored, recorded with its source. The same bytes again return the existing revision. */
    async storeFetched(
      applicationId: string,
      file: string,
      spooled: { size: number; sha256: string; head: Buffer },
      meta: {
        revisionType: 'Git' | 'S3';
        bundleType?: BundleType | undefined;
        source: RevisionSource;
        description?: string | undefined;
      },
      actor: Actor,
    ): Promise<{ revision: RevisionInfo; created: boolean }> {
      if (spooled.size === 0) throw invalidRevision('the bundle is empty');
      const format = sniffFormat(spooled.head);
      if (!format) throw invalidRevision(`the fetched object is ${describeFormat(format)}`);
      const bundleType = meta.bundleType ?? BUNDLE_TYPE_OF[format];
      if (FORMAT_OF[bundleType] !== format) {
        throw invalidRevision(`bundleType ${bundleType} was given but the object is ${describeFormat(format)}`);
      }
      const existing = await prisma.revision.findUnique({
        where: { applicationId_sha256: { applicationId, sha256: spooled.sha256 } },
        include: withApp,
      });
      if (existing) return { revision: toRevisionInfo(existing), created: false };
      const appspec = await inspect(file, format);
      const id = randomUUID();
      const key = `revisions/${applicationId}/${id}.${EXTENSION[bundleType]}`;
      await storage.put(key, createReadStream(file), spooled.size);
      const result = await createOrExisting(
        {
          id,
          applicationId,
          revisionType: meta.revisionType,
          storageKey: key,
          sha256: spooled.sha256,
          size: BigInt(spooled.size),
          bundleType,
          description: meta.description ?? null,
          appspecFilename: appspec.name,
          source: meta.source,
        },
        meta.revisionType === 'Git' ? 'revision.registerGit' : 'revision.registerS3',
        actor,
      ).catch(async (err: unknown) => {
        await storage.delete(key).catch(() => undefined);
        throw err;
      });
      if (!result.created) await storage.delete(key).catch(() => undefined);
      return { ...result, revision: { ...result.revision, appspecWarnings: appspec.warnings } };
    },

    async get(appName: string, revisionId: string): Promise<RevisionInfo> {
      return toRevisionInfo(await find(appName, revisionId));
    },

    async list(appName: string, q: ListRevisionsQuery): Promise<RevisionPage> {
      const app = await findApplication(prisma, appName);
      const col = SORT_COLUMN[q.sortBy];
      const desc = q.sortOrder === 'descending';
      const dir = desc ? 'desc' : 'asc';
      const after = decodeCursor(SortCursor, q.cursor);
      const where: Prisma.RevisionWhereInput = { applicationId: app.id };
      if (after) {
        // Keyset over (column NULLS LAST, id): rows strictly after the cursor in the chosen order.
        const idAfter = desc ? { lt: after.id } : { gt: after.id };
        if (after.v === null) where.AND = [{ [col]: null }, { id: idAfter }];
        else {
          const v = new Date(after.v);
          where.OR = [
            { [col]: desc ? { lt: v } : { gt: v } },
            { [col]: v, id: idAfter },
            ...(col === 'registeredAt' ? [] : [{ [col]: null }]),
          ];
        }
      }
      const rows = await prisma.revision.findMany({
        where,
        include: withApp,
        orderBy: [
          col === 'registeredAt' ? { registeredAt: dir } : { [col]: { sort: dir, nulls: 'last' } },
          { id: dir },
        ],
        take: q.limit + 1,
      });
      return page(rows, q.limit, toRevisionInfo, (r) => ({ v: r[col]?.toISOString() ?? null, id: r.id }));
    },

    async openBundle(appName: string, revisionId: string, rangeHeader: string | undefined): Promise<BundleDownload> {
      const r = await find(appName, revisionId);
      return openRevisionBundle(storage, r, rangeHeader);
    },
  };

  /** The appspec's file name (the agent looks for it at the root, then in a single top-level directory, as we just
   *  did) and its warnings; an appspec the agent would refuse is a 400 naming file, line and field. */
  async function inspect(file: string, format: SniffedFormat): Promise<{ name: string; warnings: AppSpecWarning[] }> {
    let found: FoundAppSpec;
    try {
      found = await findAppSpec(file, format);
    } catch (err) {
      if (err instanceof BundleExpansionError) throw new AppError('PayloadTooLarge', 'BundleTooLarge', err.message);
      if (err instanceof BundleError) throw invalidRevision(err.message);
      throw err;
    }
    let warnings: AppSpecWarning[];
    try {
      warnings = parseAppSpecWithWarnings(found.text, found.path).warnings;
    } catch (err) {
      if (err instanceof AppSpecError) throw invalidRevision(err.message, err.toJSON());
      throw err;
    }
    return { name: path.posix.basename(found.path), warnings };
  }
}

/** Shared with the agent protocol's bundle download: the stored object (or a range of it) for a revision row. */
export async function openRevisionBundle(
  storage: BundleStorage,
  r: Pick<Revision, 'id' | 'revisionType' | 'url' | 'storageKey' | 'bundleType' | 'sha256'>,
  rangeHeader: string | undefined,
): Promise<BundleDownload> {
  if (r.revisionType === 'Url' && r.url) return { kind: 'redirect', url: r.url };
  const stat = r.storageKey ? await storage.stat(r.storageKey) : null;
  if (!r.storageKey || !stat) {
    throw notFound('RevisionBundleMissing', `the bundle of revision ${r.id} is missing from bundle storage`);
  }
  const range = parseRange(rangeHeader, stat.size);
  if (range === 'unsatisfiable') return { kind: 'unsatisfiable', size: stat.size };
  const whole = { start: 0, end: stat.size - 1 };
  const { start, end } = range ?? whole;
  const stream = await storage.get(r.storageKey, range ? { start, end } : undefined);
  return {
    kind: range ? 'partial' : 'full',
    stream,
    size: stat.size,
    start,
    end,
    contentType: CONTENT_TYPE[r.bundleType],
    fileName: `${r.id}.${EXTENSION[r.bundleType]}`,
    sha256: r.sha256,
  };
}

export type RevisionService = ReturnType<typeof createRevisionService>;
