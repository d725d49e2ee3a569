// Notification targets: where deployment groups' triggers send events (a signed generic webhook, or a Slack-compatible
// chat hook), and their delivery log. The URL and a webhook's signing secret are sealed under SECRET_KEY; the secret
// is shown once (created or rotated) and answers and the audit log carry only its prefix and the URL's start. A test
// event and a redelivery are outbox rows like any other: the worker sends them within a sweep interval.
import type {
  CreateNotificationTargetRequest,
  ListNotificationDeliveriesQuery,
  NotificationDelivery,
  NotificationDeliveryPage,
  NotificationEventType,
  NotificationTargetInfo,
  NotificationTargetPage,
  NotificationTargetWithSecret,
  TriggerConfig,
  UpdateNotificationTargetRequest,
} from '@drover/contracts';
import { Prisma, type NotificationTarget, type PrismaClient } from '@drover/db';
import { conflict, newWebhookSecret, notFound, sealSecret, writeAudit, type Actor } from '@drover/engine';
import { z } from 'zod';
import { withFieldIssue } from './load-balancer-service';
import { decodeCursor, invalidField, iso, isoOrNull, mapDbErrors, page, type PrismaLike } from './service-support';

/** How many characters of a signing secret answers show: `whsec_` and six more. */
const SECRET_PREFIX_LENGTH = 12;

const targetNotFound = (name: string) =>
  notFound('NotificationTargetDoesNotExist', `notification target ${name} does not exist`);

interface TriggerUse {
  applicationName: string;
  deploymentGroupName: string;
  triggerName: string;
  ref: string;
}

const Triggers = z.array(z.object({ triggerName: z.string(), triggerTargetArn: z.string() }).passthrough()).catch([]);

async function triggerUses(db: PrismaLike): Promise<TriggerUse[]> {
  const groups = await db.deploymentGroup.findMany({
    where: { NOT: { triggerConfigurations: { equals: [] } } },
    select: { name: true, triggerConfigurations: true, application: { select: { name: true } } },
    orderBy: [{ application: { name: 'asc' } }, { name: 'asc' }],
  });
  return groups.flatMap((g) =>
    Triggers.parse(g.triggerConfigurations).map((t) => ({
      applicationName: g.application.name,
      deploymentGroupName: g.name,
      triggerName: t.triggerName,
      ref: t.triggerTargetArn,
    })),
  );
}

const usesOf = (uses: TriggerUse[], t: NotificationTarget) =>
  uses
    .filter((u) => u.ref === t.name || u.ref === t.id)
    .map(({ applicationName, deploymentGroupName, triggerName }) => ({
      applicationName,
      deploymentGroupName,
      triggerName,
    }));

/** What answers show of a URL: scheme, host and the path's first segment (a chat hook's path is its credential). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  const first = u.pathname.split('/').filter(Boolean)[0];
  const rest = u.pathname.length > (first ? first.length + 1 : 1) || u.search ? '/…' : '';
  return `${u.protocol}//${u.host}${first ? `/${first}` : ''}${rest}`;
}

function checkUrl(url: string, field: string) {
  const u = new URL(url);
  if (u.username || u.password) {
    throw invalidField('InvalidNotificationTargetUrl', field, 'must not carry a user or password');
  }
}

function seal(secretKey: string | undefined, plain: string, field: string): string {
  try {
    return sealSecret(secretKey, plain);
  } catch (err) {
    throw withFieldIssue(err, field);
  }
}

interface Counts {
  pending: number;
  failed: number;
}

function toInfo(t: NotificationTarget, uses: TriggerUse[], counts: Counts): NotificationTargetInfo {
  return {
    notificationTargetId: t.id,
    notificationTargetName: t.name,
    kind: t.kind,
    url: t.urlDisplay,
    secretPrefix: t.secretPrefix,
    description: t.description,
    usedBy: usesOf(uses, t),
    pendingDeliveries: counts.pending,
    failedDeliveries: counts.failed,
    createTime: iso(t.createdAt),
    updateTime: iso(t.updatedAt),
  };
}

type DeliveryRow = Prisma.NotificationDeliveryGetPayload<{ include: { event: { select: { type: true } } } }>;

function toDelivery(d: DeliveryRow): NotificationDelivery {
  return {
    deliveryId: d.id,
    eventId: d.eventId,
    eventType: d.event.type as NotificationEventType,
    deploymentId: d.deploymentId,
    triggerName: d.triggerName,
    status: d.status,
    attempts: d.attempts,
    nextAttemptTime: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastAttemptTime: isoOrNull(d.lastAttemptAt),
    deliveredTime: isoOrNull(d.deliveredAt),
    responseStatus: d.responseStatus,
    latencyMs: d.latencyMs,
    responseExcerpt: d.responseExcerpt,
    error: d.error,
    summarizedIn: d.summarizedIn,
    createTime: iso(d.createdAt),
  };
}

const NameCursor = z.object({ n: z.string() });
const DeliveryCursor = z.object({ s: z.string().regex(/^\d+$/) });

/**
 * triggerTargetArn must name a notification target (by name or id) when a group is saved: a trigger that can never be
 * delivered is a mistake to refuse, not to discover when a deployment fails. `field` is e.g. body.triggerConfigurations.
 */
export async function checkTriggerTargets(db: PrismaLike, triggers: TriggerConfig[] | undefined, field: string) {
  if (!triggers?.length) return;
  const refs = [...new Set(triggers.map((t) => t.triggerTargetArn))];
  const ids = refs.filter((r) => z.string().uuid().safeParse(r).success);
  const found = await db.notificationTarget.findMany({
    where: { OR: [{ name: { in: refs } }, ...(ids.length ? [{ id: { in: ids } }] : [])] },
    select: { id: true, name: true },
  });
  triggers.forEach((t, i) => {
    if (!found.some((f) => f.name === t.triggerTargetArn || f.id === t.triggerTargetArn)) {
      throw invalidField(
        'InvalidTriggerConfigException',
        `${field}[${i}].triggerTargetArn`,
        `no notification target named ${t.triggerTargetArn}; create it with POST /v1/notification-targets (or name an existing one by name or id)`,
      );
    }
  });
  const names = triggers.map((t) => t.triggerName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    throw invalidField('InvalidTriggerConfigException', field, `trigger name ${dup} is used twice`);
  }
}

export function createNotificationTargetService(deps: { prisma: PrismaClient; secretKey: string | undefined }) {
  const { prisma } = deps;

  async function find(db: PrismaLike, name: string, lock = false): Promise<NotificationTarget> {
    const t = await db.notificationTarget.findUnique({ where: { name } });
    if (!t) throw targetNotFound(name);
    if (lock) await db.$queryRaw`SELECT id FROM notification_targets WHERE id = ${t.id}::uuid FOR UPDATE`;
    return t;
  }

  async function counts(ids: string[]): Promise<Map<string, Counts>> {
    const rows = await prisma.notificationDelivery.groupBy({
      by: ['targetId', 'status'],
      where: { targetId: { in: ids }, status: { in: ['pending', 'failed'] } },
      _count: true,
    });
    const m = new Map<string, Counts>();
    for (const id of ids) m.set(id, { pending: 0, failed: 0 });
    for (const r of rows) {
      const c = m.get(r.targetId);
      if (c && (r.status === 'pending' || r.status === 'failed')) c[r.status] = r._count;
    }
    return m;
  }

  async function info(t: NotificationTarget, db: PrismaLike = prisma) {
    const [uses, c] = await Promise.all([triggerUses(db), counts([t.id])]);
    return toInfo(t, uses, c.get(t.id) ?? { pending: 0, failed: 0 });
  }

  function issueSecret(field: string) {
    const secret = newWebhookSecret();
    return { secret, sealed: seal(deps.secretKey, secret, field), prefix: secret.slice(0, SECRET_PREFIX_LENGTH) };
  }

  return {
    async create(input: CreateNotificationTargetRequest, actor: Actor): Promise<NotificationTargetWithSecret> {
      checkUrl(input.url, 'body.url');
      const urlEnc = seal(deps.secretKey, input.url, 'body.url');
      const issued = input.kind === 'webhook' ? issueSecret('body.kind') : null;
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.notificationTarget.create({
              data: {
                name: input.notificationTargetName,
                kind: input.kind,
                urlEnc,
                urlDisplay: displayUrl(input.url),
                secretEnc: issued?.sealed ?? null,
                secretPrefix: issued?.prefix ?? null,
                description: input.description ?? null,
              },
            });
            await writeAudit(tx, actor, 'notificationTarget.create', 'notificationTarget', created.id, {
              notificationTargetName: created.name,
              kind: created.kind,
              url: created.urlDisplay,
              secretPrefix: created.secretPrefix,
            });
            return created;
          }),
        {
          unique: () =>
            conflict(
              'NotificationTargetAlreadyExists',
              `notification target ${input.notificationTargetName} already exists`,
            ),
        },
      );
      return {
        ...toInfo(row, [], { pending: 0, failed: 0 }),
        ...(issued ? { signingSecret: issued.secret } : {}),
      };
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<NotificationTargetPage> {
      const after = decodeCursor(NameCursor, q.cursor);
      const rows = await prisma.notificationTarget.findMany({
        where: after ? { name: { gt: after.n } } : {},
        orderBy: { name: 'asc' },
        take: q.limit + 1,
      });
      const [uses, c] = await Promise.all([triggerUses(prisma), counts(rows.map((r) => r.id))]);
      return page(
        rows,
        q.limit,
        (t) => toInfo(t, uses, c.get(t.id) ?? { pending: 0, failed: 0 }),
        (t) => ({ n: t.name }),
      );
    },

    async get(name: string): Promise<NotificationTargetInfo> {
      return info(await find(prisma, name));
    },

    async update(
      name: string,
      patch: UpdateNotificationTargetRequest,
      actor: Actor,
    ): Promise<NotificationTargetWithSecret> {
      if (patch.url) checkUrl(patch.url, 'body.url');
      const { row, secret } = await prisma.$transaction(async (tx) => {
        const current = await find(tx, name, true);
        if (patch.rotateSecret && current.kind !== 'webhook') {
          throw invalidField(
            'InvalidInput',
            'body.rotateSecret',
            `only webhook targets sign their deliveries; ${current.name} is a ${current.kind} target`,
          );
        }
        const issued = patch.rotateSecret ? issueSecret('body.rotateSecret') : null;
        const data: Prisma.NotificationTargetUpdateInput = {
          ...(patch.url
            ? { urlEnc: seal(deps.secretKey, patch.url, 'body.url'), urlDisplay: displayUrl(patch.url) }
            : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(issued ? { secretEnc: issued.sealed, secretPrefix: issued.prefix } : {}),
        };
        const updated = Object.keys(data).length
          ? await tx.notificationTarget.update({ where: { id: current.id }, data })
          : current;
        if (patch.url || patch.description !== undefined) {
          await writeAudit(tx, actor, 'notificationTarget.update', 'notificationTarget', current.id, {
            notificationTargetName: current.name,
            ...(patch.url ? { url: updated.urlDisplay } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
          });
        }
        if (issued) {
          await writeAudit(tx, actor, 'notificationTarget.rotateSecret', 'notificationTarget', current.id, {
            notificationTargetName: current.name,
            previousSecretPrefix: current.secretPrefix,
            secretPrefix: issued.prefix,
          });
        }
        return { row: updated, secret: issued?.secret };
      });
      return { ...(await info(row)), ...(secret ? { signingSecret: secret } : {}) };
    },

    async delete(name: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = await find(tx, name, true);
        const users = usesOf(await triggerUses(tx), t);
        if (users.length) {
          throw conflict(
            'NotificationTargetInUse',
            `notification target ${t.name} is used by ${users
              .map((u) => `${u.applicationName}/${u.deploymentGroupName} (trigger ${u.triggerName})`)
              .join(', ')}; change their triggerConfigurations first`,
            { deploymentGroups: users },
          );
        }
        await tx.notificationTarget.delete({ where: { id: t.id } });
        await writeAudit(tx, actor, 'notificationTarget.delete', 'notificationTarget', t.id, {
          notificationTargetName: t.name,
        });
      });
    },

    async deliveries(name: string, q: ListNotificationDeliveriesQuery): Promise<NotificationDeliveryPage> {
      const t = await find(prisma, name);
      const after = decodeCursor(DeliveryCursor, q.cursor);
      const rows = await prisma.notificationDelivery.findMany({
        where: {
          targetId: t.id,
          ...(q.status ? { status: q.status } : {}),
          ...(q.deploymentId ? { deploymentId: q.deploymentId } : {}),
          ...(after ? { seq: { lt: BigInt(after.s) } } : {}),
        },
        include: { event: { select: { type: true } } },
        orderBy: { seq: 'desc' },
        take: q.limit + 1,
      });
      return page(rows, q.limit, toDelivery, (d) => ({ s: d.seq.toString() }));
    },

    async delivery(name: string, deliveryId: string): Promise<NotificationDelivery> {
      const t = await find(prisma, name);
      const d = await prisma.notificationDelivery.findFirst({
        where: { id: deliveryId, targetId: t.id },
        include: { event: { select: { type: true } } },
      });
      if (!d) throw notFound('NotificationDeliveryDoesNotExist', `delivery ${deliveryId} of ${name} does not exist`);
      return toDelivery(d);
    },

    /** Queues a Test event to this target (the worker sends it within a sweep interval); answers its delivery. */
    async test(name: string, actor: Actor): Promise<NotificationDelivery> {
      const d = await prisma.$transaction(async (tx) => {
        const t = await find(tx, name);
        const event = await tx.notificationEvent.create({ data: { type: 'Test', payload: {} } });
        const delivery = await tx.notificationDelivery.create({
          data: { eventId: event.id, targetId: t.id, triggerName: 'test', seq: event.seq },
          include: { event: { select: { type: true } } },
        });
        await writeAudit(tx, actor, 'notificationTarget.test', 'notificationTarget', t.id, {
          notificationTargetName: t.name,
          eventId: event.id,
        });
        return delivery;
      });
      return toDelivery(d);
    },

    /**
     * Sends a delivery again (the same event id, so receivers that saw it de-duplicate): it becomes due now, keeps
     * its place in its deployment's order, and its attempts go on counting.
     */
    async redeliver(name: string, deliveryId: string, actor: Actor): Promise<NotificationDelivery> {
      const d = await prisma.$transaction(async (tx) => {
        const t = await find(tx, name);
        const found = await tx.notificationDelivery.findFirst({ where: { id: deliveryId, targetId: t.id } });
        if (!found) {
          throw notFound('NotificationDeliveryDoesNotExist', `delivery ${deliveryId} of ${name} does not exist`);
        }
        if (found.status === 'pending') {
          throw conflict('DeliveryPending', `delivery ${deliveryId} has not finished yet (it is pending)`);
        }
        const updated = await tx.notificationDelivery.update({
          where: { id: found.id },
          data: { status: 'pending', nextAttemptAt: new Date(), error: null, summarizedIn: null },
          include: { event: { select: { type: true } } },
        });
        await writeAudit(tx, actor, 'notificationTarget.redeliver', 'notificationTarget', t.id, {
          notificationTargetName: t.name,
          deliveryId,
          eventId: found.eventId,
        });
        return updated;
      });
      return toDelivery(d);
    },
  };
}
