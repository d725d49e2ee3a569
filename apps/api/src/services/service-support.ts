// Small helpers every service shares: database error mapping, opaque cursors, timestamps, online status.
import { Prisma } from '@drover/db';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '@drover/contracts';
import { isTerminalDeploymentStatus } from '@drover/domain';
import { invalid } from '@drover/engine';
import { z } from 'zod';

export type PrismaLike = Prisma.TransactionClient;

/** A unique constraint was violated (P2002): the caller maps it to its resource's AlreadyExists conflict. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** A foreign key blocked the change (P2003), e.g. a row created concurrently still references the one deleted. */
function isForeignKeyViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003';
}

/** Runs fn and turns the errors listed into typed AppErrors; anything else propagates unchanged. */
export async function mapDbErrors<T>(
  fn: () => Promise<T>,
  on: { unique?: () => Error; foreignKey?: () => Error },
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (on.unique && isUniqueViolation(err)) throw on.unique();
    if (on.foreignKey && isForeignKeyViolation(err)) throw on.foreignKey();
    throw err;
  }
}

/** Deployments that are not finished yet: they block deleting their application, group or revision. */
export const UNFINISHED_DEPLOYMENT_STATUSES: DeploymentStatus[] = DEPLOYMENT_STATUSES.filter(
  (s) => !isTerminalDeploymentStatus(s),
);

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** Cursors are opaque to clients: base64url JSON of the last item's sort key. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** True when a decoded cursor holds a string PostgreSQL cannot take: a NUL, or an unpaired surrogate ("\ud800"). */
function holdsNonText(value: unknown): boolean {
  if (typeof value === 'string') {
    return value.includes('\u0000') || /[\ud800-\udfff]/.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
  }
  if (value && typeof value === 'object') return Object.values(value).some(holdsNonText);
  return false;
}

export function decodeCursor<T extends z.ZodTypeAny>(schema: T, raw: string | undefined): z.infer<T> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  // A forged cursor is input like any other: the values in it must be text the database can compare with.
  const parsed = holdsNonText(json) ? { success: false as const } : schema.safeParse(json);
  if (!parsed.success) {
    throw invalid('InvalidNextToken', 'querystring.cursor: not a cursor returned by this list', {
      issues: [{ field: 'querystring.cursor', reason: 'not a cursor returned by this list' }],
    });
  }
  return parsed.data;
}

// Lists newest first (createdAt desc, id desc), paged by the last item's createdAt and id.
const NewestFirstCursor = z.object({ at: z.iso.datetime(), id: z.string().uuid() });
export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
/** The rows after a newest-first cursor, as a where-clause ({} without a cursor); a forged cursor is a 400. */
export function afterNewestFirst(raw: string | undefined) {
  const after = decodeCursor(NewestFirstCursor, raw);
  if (!after) return {};
  const at = new Date(after.at);
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: after.id } }] };
}
export const newestFirstCursorOf = (r: { createdAt: Date; id: string }) => ({ at: iso(r.createdAt), id: r.id });

/** Builds { items, nextCursor } from limit+1 rows fetched. */
export function page<R, I>(rows: R[], limit: number, map: (r: R) => I, cursorOf: (r: R) => unknown) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

/** A field-level 400 with a CodeDeploy-style code, naming the field in the message and details. */
export function invalidField(code: string, field: string, reason: string) {
  return invalid(code, `${field}: ${reason}`, { issues: [{ field, reason }] });
}

/** An agent counts as online when it polled or sent a heartbeat within AGENT_LOST_AFTER_SECONDS. */
export function isOnline(
  inst: { lastSeenAt: Date | null; deregisteredAt: Date | null },
  lostAfterSeconds: number,
  now = Date.now(),
): boolean {
  return !inst.deregisteredAt && !!inst.lastSeenAt && now - inst.lastSeenAt.getTime() <= lostAfterSeconds * 1000;
}
