// Alarms: the Prometheus queries, Alertmanager matchers and HTTP probes that deployment groups name in
// alarmConfiguration. Admins manage them; Prometheus credentials are sealed under SECRET_KEY and never shown or
// audited. "Evaluate now" asks the source once (@drover/alarms, the same function the workers use) and keeps the
// result on the alarm. Alertmanager's webhook stores the alerts it sends, one row per fingerprint.
import {
  AlarmConfiguration,
  AlertmanagerAlarmSpec,
  HttpProbeAlarmSpec,
  PrometheusAlarmSpec,
  type AlarmEvaluation,
  type AlarmInfo,
  type AlarmPage,
  type AlarmState,
  type AlertReceiverTokenInfo,
  type AlertReceiverTokenList,
  type CreateAlertReceiverTokenResponse,
  type AlertmanagerWebhookPayload,
  type AlertmanagerWebhookResult,
  type CreateAlarmRequest,
  type PrometheusAuthInput,
  type UpdateAlarmRequest,
} from '@drover/contracts';
import { Prisma, type Alarm, type AlertReceiverToken, type PrismaClient } from '@drover/db';
import { authToSeal, evaluateStoredAlarm, toStoredAlert } from '@drover/alarms';
import {
  type Actor,
  conflict,
  forbidden,
  invalid,
  notFound,
  openSecret,
  sealSecret,
  unauthenticated,
  writeAudit,
} from '@drover/engine';
import { hashSecret, newSecret } from '../lib/secrets';
import { z } from 'zod';
import { withFieldIssue } from './load-balancer-service';
import { decodeCursor, invalidField, iso, isoOrNull, mapDbErrors, page, type PrismaLike } from './service-support';

const alarmNotFound = (name: string) => notFound('AlarmDoesNotExist', `alarm ${name} does not exist`);
const alarmExists = (name: string) => conflict('AlarmAlreadyExists', `alarm ${name} already exists`);

interface GroupRef {
  applicationName: string;
  deploymentGroupName: string;
}
const groupText = (g: GroupRef) => `${g.applicationName}/${g.deploymentGroupName}`;
const NameCursor = z.object({ n: z.string() });
/** Ended alerts are kept this long after Drover last heard of them (for the detail of an OK evaluation). */
const ALERT_RETENTION_MS = 7 * 86_400_000;

/** Every deployment group whose alarmConfiguration names alarms, with the names. */
async function groupUses(db: PrismaLike): Promise<Array<GroupRef & { alarms: string[] }>> {
  const rows = await db.deploymentGroup.findMany({
    where: { alarmConfiguration: { not: Prisma.AnyNull } },
    select: { name: true, alarmConfiguration: true, application: { select: { name: true } } },
    orderBy: [{ application: { name: 'asc' } }, { name: 'asc' }],
  });
  return rows.flatMap((g) => {
    const cfg = AlarmConfiguration.safeParse(g.alarmConfiguration);
    if (!cfg.success || cfg.data.alarms.length === 0) return [];
    return [
      { applicationName: g.application.name, deploymentGroupName: g.name, alarms: cfg.data.alarms.map((a) => a.name) },
    ];
  });
}

const usersOf = (uses: Array<GroupRef & { alarms: string[] }>, name: string): GroupRef[] =>
  uses
    .filter((u) => u.alarms.includes(name))
    .map((u) => ({ applicationName: u.applicationName, deploymentGroupName: u.deploymentGroupName }));

/**
 * A group's alarmConfiguration may only name alarms that exist. Locks the rows it finds (FOR SHARE) so that a
 * concurrent delete waits for the group to be saved and then sees it as a user.
 */
export async function checkAlarmNames(tx: PrismaLike, cfg: AlarmConfiguration | null | undefined, field: string) {
  if (!cfg || cfg.alarms.length === 0) return;
  const names = [...new Set(cfg.alarms.map((a) => a.name))];
  const found = await tx.$queryRaw<Array<{ name: string }>>`
    SELECT name FROM alarms WHERE name = ANY(${names}::text[]) FOR SHARE`;
  const have = new Set(found.map((r) => r.name));
  const issues = cfg.alarms.flatMap((a, i) =>
    have.has(a.name)
      ? []
      : [
          {
            field: `${field}.alarms[${i}].name`,
            reason: `alarm ${a.name} does not exist; create it first (POST /v1/alarms)`,
          },
        ],
  );
  const first = issues[0];
  if (first) throw invalid('AlarmsNotFound', `${first.field}: ${first.reason}`, { issues });
}

const toTokenInfo = (t: AlertReceiverToken): AlertReceiverTokenInfo => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: iso(t.createdAt),
  revokedAt: isoOrNull(t.revokedAt),
  lastUsedAt: isoOrNull(t.lastUsedAt),
});

const RECEIVER_HELP =
  'send a receiver token (drw_…, POST /v1/alert-receiver-tokens) as "Authorization: Bearer drw_…" (alertmanager.yml: http_config.authorization.credentials)';

function specOf(a: Alarm) {
  return a.spec as Prisma.JsonObject;
}

function toInfo(
  a: Alarm,
  usedBy: GroupRef[],
  auth: { type: 'basic' | 'bearer'; username: string | null } | null,
): AlarmInfo {
  const spec = specOf(a);
  return {
    alarmId: a.id,
    alarmName: a.name,
    kind: a.kind,
    prometheus: a.kind === 'prometheus' ? { ...PrometheusAlarmSpec.parse(spec), auth } : null,
    alertmanager: a.kind === 'alertmanager' ? AlertmanagerAlarmSpec.parse(spec) : null,
    httpProbe: a.kind === 'http_probe' ? HttpProbeAlarmSpec.parse(spec) : null,
    usedBy,
    lastState: (a.lastState as AlarmState | null) ?? null,
    lastDetail: a.lastDetail,
    lastEvaluatedAt: isoOrNull(a.lastEvaluatedAt),
    createTime: iso(a.createdAt),
    updateTime: iso(a.updatedAt),
  };
}

export function createAlarmService(deps: { prisma: PrismaClient; secretKey: string | undefined }) {
  const { prisma } = deps;
  const open = (sealed: string) => openSecret(deps.secretKey, sealed);

  /** What answers show of the credentials: type and user name, read back from the sealed copy. */
  function authInfo(a: Alarm): { type: 'basic' | 'bearer'; username: string | null } | null {
    if (!a.credentialsEnc) return null;
    // The type is kept beside the seal in the spec, so listing never needs SECRET_KEY.
    const stored = (specOf(a) as { authType?: unknown; authUsername?: unknown }) ?? {};
    return {
      type: stored.authType === 'bearer' ? 'bearer' : 'basic',
      username: typeof stored.authUsername === 'string' ? stored.authUsername : null,
    };
  }

  async function find(db: PrismaLike, name: string, lock = false): Promise<Alarm> {
    const a = await db.alarm.findUnique({ where: { name } });
    if (!a) throw alarmNotFound(name);
    if (lock) await db.$queryRaw`SELECT id FROM alarms WHERE id = ${a.id}::uuid FOR UPDATE`;
    return a;
  }

  function seal(auth: PrometheusAuthInput | null | undefined, field: string) {
    if (!auth) return null;
    try {
      return sealSecret(deps.secretKey, authToSeal(auth));
    } catch (err) {
      throw withFieldIssue(err, field);
    }
  }

  /** The stored spec: the kind's settings, plus the credentials' type and user name (not secret) beside the seal. */
  function storedSpec(
    kind: Alarm['kind'],
    settings: Record<string, unknown>,
    auth: { type: 'basic' | 'bearer'; username?: string } | null,
  ): Prisma.InputJsonObject {
    if (kind !== 'prometheus' || !auth) return settings as Prisma.InputJsonObject;
    return {
      ...settings,
      authType: auth.type,
      ...(auth.type === 'basic' && auth.username ? { authUsername: auth.username } : {}),
    } as Prisma.InputJsonObject;
  }

  /** The audit record of an alarm's settings: never the credentials, only whether there are some. */
  const auditSettings = (a: Alarm) => ({
    alarmName: a.name,
    kind: a.kind,
    spec: a.spec as Prisma.InputJsonValue,
    credentials: a.credentialsEnc ? 'set' : 'none',
  });

  return {
    async create(input: CreateAlarmRequest, actor: Actor): Promise<AlarmInfo> {
      const name = input.alarmName;
      let settings: Record<string, unknown>;
      let sealed: string | null = null;
      let auth: { type: 'basic' | 'bearer'; username?: string } | null = null;
      if (input.kind === 'prometheus' && input.prometheus) {
        const { auth: given, ...rest } = input.prometheus;
        settings = rest;
        sealed = seal(given, 'body.prometheus.auth');
        auth = given ? { type: given.type, ...(given.type === 'basic' ? { username: given.username } : {}) } : null;
      } else if (input.kind === 'alertmanager' && input.alertmanager) {
        settings = input.alertmanager;
      } else if (input.kind === 'http_probe' && input.httpProbe) {
        settings = input.httpProbe;
      } else {
        throw invalidField('InvalidInput', 'body.kind', 'the settings of this kind are missing');
      }
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.alarm.create({
              data: { name, kind: input.kind, spec: storedSpec(input.kind, settings, auth), credentialsEnc: sealed },
            });
            await writeAudit(tx, actor, 'alarm.create', 'alarm', created.id, auditSettings(created));
            return created;
          }),
        { unique: () => alarmExists(name) },
      );
      return toInfo(row, [], authInfo(row));
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<AlarmPage> {
      const after = decodeCursor(NameCursor, q.cursor);
      const [rows, uses] = await Promise.all([
        prisma.alarm.findMany({
          where: after ? { name: { gt: after.n } } : {},
          orderBy: { name: 'asc' },
          take: q.limit + 1,
        }),
        groupUses(prisma),
      ]);
      return page(
        rows,
        q.limit,
        (a) => toInfo(a, usersOf(uses, a.name), authInfo(a)),
        (a) => ({ n: a.name }),
      );
    },

    async get(name: string): Promise<AlarmInfo> {
      const [a, uses] = await Promise.all([find(prisma, name), groupUses(prisma)]);
      return toInfo(a, usersOf(uses, a.name), authInfo(a));
    },

    async update(name: string, patch: UpdateAlarmRequest, actor: Actor): Promise<AlarmInfo> {
      const { row, uses } = await prisma.$transaction(async (tx) => {
        const current = await find(tx, name, true);
        const blocks = { prometheus: 'prometheus', alertmanager: 'alertmanager', http_probe: 'httpProbe' } as const;
        const mine = blocks[current.kind];
        for (const other of Object.values(blocks)) {
          if (other !== mine && patch[other] !== undefined) {
            throw invalidField(
              'InvalidInput',
              `body.${other}`,
              `${current.name} is a ${current.kind} alarm; its settings are in ${mine}`,
            );
          }
        }
        const given = patch[mine];
        if (!given || Object.values(given).every((v) => v === undefined)) {
          return { row: current, uses: await groupUses(tx) };
        }
        const stored = { ...(specOf(current) as Record<string, unknown>) };
        const keepAuth = { type: stored.authType, username: stored.authUsername };
        delete stored.authType;
        delete stored.authUsername;
        let sealed = current.credentialsEnc;
        let auth: { type: 'basic' | 'bearer'; username?: string } | null = current.credentialsEnc
          ? {
              type: keepAuth.type === 'bearer' ? 'bearer' : 'basic',
              ...(typeof keepAuth.username === 'string' ? { username: keepAuth.username } : {}),
            }
          : null;
        const merged: Record<string, unknown> = { ...stored };
        for (const [k, v] of Object.entries(given)) {
          if (k === 'auth' || v === undefined) continue;
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        const schema =
          current.kind === 'prometheus'
            ? PrometheusAlarmSpec
            : current.kind === 'alertmanager'
              ? AlertmanagerAlarmSpec
              : HttpProbeAlarmSpec;
        const checked = schema.safeParse(merged);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          throw invalidField(
            'InvalidInput',
            `body.${mine}.${issue?.path.join('.') ?? ''}`,
            issue?.message ?? 'invalid',
          );
        }
        const settings = checked.data as Record<string, unknown>;
        if (current.kind === 'prometheus' && 'auth' in given && given.auth !== undefined) {
          const a = given.auth as PrometheusAuthInput | null;
          sealed = a ? seal(a, 'body.prometheus.auth') : null;
          auth = a ? { type: a.type, ...(a.type === 'basic' ? { username: a.username } : {}) } : null;
        }
        const updated = await tx.alarm.update({
          where: { id: current.id },
          data: {
            spec: storedSpec(current.kind, settings, auth),
            credentialsEnc: sealed,
            // Settings changed: the last result no longer says anything about this alarm.
            lastState: null,
            lastDetail: null,
            lastEvaluatedAt: null,
          },
        });
        const changes = Object.fromEntries(
          Object.entries(given).filter(([k, v]) => v !== undefined && k !== 'auth'),
        ) as Prisma.InputJsonObject;
        await writeAudit(tx, actor, 'alarm.update', 'alarm', current.id, {
          alarmName: current.name,
          changes,
          ...('auth' in given && given.auth !== undefined
            ? { credentials: given.auth === null ? 'removed' : 'replaced' }
            : {}),
        });
        return { row: updated, uses: await groupUses(tx) };
      });
      return toInfo(row, usersOf(uses, row.name), authInfo(row));
    },

    async delete(name: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const a = await find(tx, name, true);
        const users = usersOf(await groupUses(tx), a.name);
        if (users.length > 0) {
          throw conflict(
            'AlarmInUse',
            `alarm ${a.name} is used by ${users.map(groupText).join(', ')}; remove it from their alarmConfiguration first`,
            { deploymentGroups: users },
          );
        }
        await tx.alarm.delete({ where: { id: a.id } });
        await writeAudit(tx, actor, 'alarm.delete', 'alarm', a.id, { alarmName: a.name });
      });
    },

    /** Asks the source now; the result is kept on the alarm (lastState) and returned. Not audited: it changes nothing. */
    async evaluate(name: string): Promise<AlarmEvaluation> {
      const a = await find(prisma, name);
      const result = await evaluateStoredAlarm(prisma, a, { openSecret: open });
      await prisma.alarm.updateMany({
        where: { id: a.id, updatedAt: a.updatedAt },
        data: {
          lastState: result.state,
          lastDetail: result.detail.slice(0, 4000),
          lastEvaluatedAt: new Date(result.observedAt),
        },
      });
      return result;
    },

    /**
     * Who may post alerts: a live receiver token, and nothing else — an API token or session is refused (403), so a
     * token leaked from alertmanager.yml can post alerts but never read or change anything.
     */
    async authenticateReceiver(authorization: string | undefined): Promise<void> {
      const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
      const secret = m?.[1];
      if (!secret) throw unauthenticated(`no receiver token: ${RECEIVER_HELP}`);
      if (!secret.startsWith('drw_')) {
        throw forbidden(
          `this endpoint takes only an Alertmanager receiver token, not this credential: ${RECEIVER_HELP}`,
        );
      }
      const t = await prisma.alertReceiverToken.findUnique({ where: { tokenHash: hashSecret(secret) } });
      if (!t || t.revokedAt) throw unauthenticated('unknown or revoked receiver token');
      void prisma.alertReceiverToken
        .update({ where: { id: t.id }, data: { lastUsedAt: new Date() } })
        .catch(() => undefined);
    },

    async createReceiverToken(
      name: string,
      createdById: string | null,
      actor: Actor,
    ): Promise<CreateAlertReceiverTokenResponse> {
      const { secret, hash, prefix } = newSecret('drw');
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.alertReceiverToken.create({ data: { name, tokenHash: hash, prefix, createdById } });
        await writeAudit(tx, actor, 'alertReceiverToken.create', 'alertReceiverToken', created.id, { name, prefix });
        return created;
      });
      return { ...toTokenInfo(row), token: secret };
    },

    async listReceiverTokens(): Promise<AlertReceiverTokenList> {
      const rows = await prisma.alertReceiverToken.findMany({
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        take: 500,
      });
      return { items: rows.map(toTokenInfo) };
    },

    async revokeReceiverToken(id: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = await tx.alertReceiverToken.findUnique({ where: { id } });
        if (!t) throw notFound('AlertReceiverTokenDoesNotExist', `receiver token ${id} does not exist`);
        if (t.revokedAt) return;
        await tx.alertReceiverToken.update({ where: { id }, data: { revokedAt: new Date() } });
        await writeAudit(tx, actor, 'alertReceiverToken.revoke', 'alertReceiverToken', id, {
          name: t.name,
          prefix: t.prefix,
        });
      });
    },

    /** Stores every alert of an Alertmanager notification, each replacing the stored copy of its fingerprint. */
    async receiveAlertmanager(payload: AlertmanagerWebhookPayload): Promise<AlertmanagerWebhookResult> {
      const receivedAt = new Date();
      await prisma.$transaction(async (tx) => {
        for (const alert of payload.alerts) {
          const s = toStoredAlert(alert, receivedAt);
          const data = {
            alertname: s.alertname,
            labels: s.labels,
            annotations: alert.annotations,
            status: s.status,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            receivedAt,
          };
          await tx.alertmanagerAlert.upsert({
            where: { fingerprint: s.fingerprint },
            create: { fingerprint: s.fingerprint, ...data },
            update: data,
          });
        }
      });
      // A notification is news for every running deployment that watches alarms: their next check is due now, so
      // the worker's next tick (within a second) evaluates them rather than waiting out the check interval.
      await prisma.$executeRaw`UPDATE deployments SET "alarmCheckDueAt" = now()
        WHERE "alarmCheckDueAt" > now() AND status IN ('InProgress', 'Baking', 'Ready') AND "stopRequestedAt" IS NULL`;
      // Alerts that ended a week ago say nothing any alarm reads: drop them, so the table holds what is current.
      const cutoff = new Date(receivedAt.getTime() - ALERT_RETENTION_MS);
      await prisma.alertmanagerAlert.deleteMany({
        where: { OR: [{ status: 'resolved' }, { endsAt: { lt: cutoff } }], receivedAt: { lt: cutoff } },
      });
      return { accepted: payload.alerts.length };
    },
  };
}

export type AlarmService = ReturnType<typeof createAlarmService>;
