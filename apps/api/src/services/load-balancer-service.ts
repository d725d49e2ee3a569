// Load balancers: the HAProxy sockets and traffic webhooks deployments drive (traffic control, blue/green), as
// resources of their own that deployment groups name in loadBalancerInfo. A webhook's signing secret is generated
// here, stored sealed under SECRET_KEY, and shown once (when created or rotated); answers and the audit log carry only
// its prefix. The servers view asks the live balancer and maps its servers to registered hosts.
import {
  LoadBalancerInfo,
  type BalancerServer,
  type CreateLoadBalancerRequest,
  type LoadBalancerInfoResponse,
  type LoadBalancerPage,
  type LoadBalancerStatus,
  type LoadBalancerWithSecret,
  type UpdateLoadBalancerRequest,
} from '@drover/contracts';
import { Prisma, type LoadBalancer, type PrismaClient } from '@drover/db';
import {
  AppError,
  type Actor,
  balancerNames,
  conflict,
  matchServer,
  newWebhookSecret,
  notFound,
  providerFor,
  resolveTrafficBindings,
  sealSecret,
  type TrafficBinding,
  writeAudit,
} from '@drover/engine';
import { parseRuntimeAddress, TrafficError, type ServerView, type TrafficProvider } from '@drover/traffic';
import { z } from 'zod';
import {
  UNFINISHED_DEPLOYMENT_STATUSES,
  decodeCursor,
  invalidField,
  iso,
  mapDbErrors,
  page,
  type PrismaLike,
} from './service-support';

/** How many characters of a webhook secret answers show: `whsec_` and six more, enough to tell secrets apart. */
export const WEBHOOK_SECRET_PREFIX_LENGTH = 12;

const balancerNotFound = (name: string) => notFound('LoadBalancerDoesNotExist', `load balancer ${name} does not exist`);
const balancerExists = (name: string) => conflict('LoadBalancerAlreadyExists', `load balancer ${name} already exists`);

interface GroupRef {
  applicationName: string;
  deploymentGroupName: string;
}
interface GroupUse extends GroupRef {
  loadBalancerInfo: LoadBalancerInfo;
  /** The balancer names its loadBalancerInfo gives (without the /backend part). */
  balancers: string[];
}

const groupText = (g: GroupRef) => `${g.applicationName}/${g.deploymentGroupName}`;
const NameCursor = z.object({ n: z.string() });

/**
 * A 400 from a helper that names its field only in the message (`body.x: reason`), given the details.issues every
 * 400 carries; other errors pass unchanged.
 */
export function withFieldIssue(err: unknown, field: string): unknown {
  if (!(err instanceof AppError) || err.kind !== 'InvalidInput' || err.details !== undefined) return err;
  const m = /^([A-Za-z0-9_.[\]]+): (.+)$/s.exec(err.message);
  const issue = m?.[1]?.startsWith(field)
    ? { field: m[1], reason: m[2] ?? err.message }
    : { field, reason: err.message };
  return new AppError(err.kind, err.code, err.message, { issues: [issue] });
}

/** Every deployment group whose stored loadBalancerInfo names a balancer, with the names it gives. */
async function groupUses(db: PrismaLike): Promise<GroupUse[]> {
  const rows = await db.deploymentGroup.findMany({
    where: { loadBalancerInfo: { not: Prisma.AnyNull } },
    select: { name: true, loadBalancerInfo: true, application: { select: { name: true } } },
    orderBy: [{ application: { name: 'asc' } }, { name: 'asc' }],
  });
  return rows.flatMap((g) => {
    const info = LoadBalancerInfo.safeParse(g.loadBalancerInfo);
    if (!info.success) return [];
    const balancers = [...new Set(balancerNames(info.data).map((n) => n.split('/')[0] ?? n))];
    if (balancers.length === 0) return [];
    return [
      {
        applicationName: g.application.name,
        deploymentGroupName: g.name,
        loadBalancerInfo: info.data,
        balancers,
      },
    ];
  });
}

const usersOf = (uses: GroupUse[], name: string): GroupRef[] =>
  uses
    .filter((u) => u.balancers.includes(name))
    .map((u) => ({ applicationName: u.applicationName, deploymentGroupName: u.deploymentGroupName }));

function toInfo(lb: LoadBalancer, usedBy: GroupRef[]): LoadBalancerInfoResponse {
  return {
    loadBalancerId: lb.id,
    loadBalancerName: lb.name,
    provider: lb.provider,
    haproxy: lb.provider === 'haproxy' && lb.haproxySocket ? { socket: lb.haproxySocket } : null,
    webhook:
      lb.provider === 'webhook' && lb.webhookUrl
        ? { url: lb.webhookUrl, secretPrefix: lb.webhookSecretPrefix ?? '' }
        : null,
    backends: lb.backends,
    serverMapping: lb.serverMapping === 'address' ? 'address' : 'instanceName',
    drainTimeoutSeconds: lb.drainTimeoutSeconds,
    healthTimeoutSeconds: lb.healthTimeoutSeconds,
    killSessionsOnDrainTimeout: lb.killSessionsOnDrainTimeout,
    usedBy,
    createTime: iso(lb.createdAt),
    updateTime: iso(lb.updatedAt),
  };
}

/** A webhook url must not carry a user or password: the receiver checks Drover's signature instead. */
function checkWebhookUrl(url: string, field: string) {
  const parsed = new URL(url);
  if (parsed.username || parsed.password) {
    throw invalidField(
      'InvalidWebhookUrl',
      field,
      'must not carry a user or password; the receiver checks the signature instead',
    );
  }
}

/** The socket as HAProxy's Runtime API client will read it (the contract's pattern lets port 99999 through). */
function checkSocket(socket: string, field: string) {
  try {
    parseRuntimeAddress(socket);
  } catch (err) {
    throw invalidField('InvalidInput', field, readable(err));
  }
}

/** A new webhook secret: the plain text (shown once), sealed for the database, and its prefix. */
function issueSecret(secretKey: string | undefined, field: string) {
  const secret = newWebhookSecret();
  let sealed: string;
  try {
    sealed = sealSecret(secretKey, secret);
  } catch (err) {
    throw withFieldIssue(err, field);
  }
  return { secret, sealed, prefix: secret.slice(0, WEBHOOK_SECRET_PREFIX_LENGTH) };
}

function readable(err: unknown): string {
  return err instanceof Error && err.message ? err.message : String(err);
}

/** The settings an audit entry records: everything but the secret (only its prefix). */
function auditSettings(lb: LoadBalancer) {
  return {
    loadBalancerName: lb.name,
    provider: lb.provider,
    ...(lb.haproxySocket ? { haproxySocket: lb.haproxySocket } : {}),
    ...(lb.webhookUrl ? { webhookUrl: lb.webhookUrl, webhookSecretPrefix: lb.webhookSecretPrefix } : {}),
    backends: lb.backends,
    serverMapping: lb.serverMapping,
    drainTimeoutSeconds: lb.drainTimeoutSeconds,
    healthTimeoutSeconds: lb.healthTimeoutSeconds,
    killSessionsOnDrainTimeout: lb.killSessionsOnDrainTimeout,
  };
}

export function createLoadBalancerService(deps: { prisma: PrismaClient; secretKey: string | undefined }) {
  const { prisma } = deps;

  async function find(db: PrismaLike, name: string, lock = false): Promise<LoadBalancer> {
    const lb = await db.loadBalancer.findUnique({ where: { name } });
    if (!lb) throw balancerNotFound(name);
    if (lock) await db.$queryRaw`SELECT id FROM load_balancers WHERE id = ${lb.id}::uuid FOR UPDATE`;
    return lb;
  }

  /** The registered hosts the servers stand for, by the balancer's mapping (the rule the traffic steps use). */
  async function hostsOf(lb: LoadBalancer, servers: ServerView[]): Promise<Map<ServerView, string>> {
    const byAddress = lb.serverMapping === 'address';
    const keys = [...new Set(servers.map((s) => (byAddress ? s.address : s.server)).filter((k) => !!k))] as string[];
    if (keys.length === 0) return new Map();
    const hosts = await prisma.instance.findMany({
      where: { deregisteredAt: null, ...(byAddress ? { trafficAddress: { in: keys } } : { name: { in: keys } }) },
      select: { name: true, trafficAddress: true },
      orderBy: { name: 'asc' },
    });
    const mapped = new Map<ServerView, string>();
    for (const backend of lb.backends) {
      const binding: TrafficBinding = {
        loadBalancerId: lb.id,
        loadBalancerName: lb.name,
        backend,
        serverMapping: byAddress ? 'address' : 'instanceName',
        drainTimeoutSeconds: lb.drainTimeoutSeconds,
        healthTimeoutSeconds: lb.healthTimeoutSeconds,
        killSessionsOnDrainTimeout: lb.killSessionsOnDrainTimeout,
      };
      for (const h of hosts) {
        const match = matchServer(binding, { instanceName: h.name, trafficAddress: h.trafficAddress }, servers);
        if (match.server && !mapped.has(match.server)) mapped.set(match.server, h.name);
      }
    }
    return mapped;
  }

  /** Every group naming this balancer must still resolve against its new settings (backends may have changed). */
  async function checkUsers(tx: PrismaLike, lb: LoadBalancer) {
    for (const use of (await groupUses(tx)).filter((u) => u.balancers.includes(lb.name))) {
      try {
        await resolveTrafficBindings(tx, use.loadBalancerInfo, 'loadBalancerInfo');
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        throw conflict(
          'LoadBalancerInUse',
          `deployment group ${groupText(use)} would no longer resolve (${err.message}); change the group first`,
          {
            deploymentGroups: [{ applicationName: use.applicationName, deploymentGroupName: use.deploymentGroupName }],
          },
        );
      }
    }
  }

  return {
    find,

    async create(input: CreateLoadBalancerRequest, actor: Actor): Promise<LoadBalancerWithSecret> {
      const name = input.loadBalancerName;
      if (input.haproxy) checkSocket(input.haproxy.socket, 'body.haproxy.socket');
      if (input.webhook) checkWebhookUrl(input.webhook.url, 'body.webhook.url');
      const issued = input.provider === 'webhook' ? issueSecret(deps.secretKey, 'body.provider') : null;
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.loadBalancer.create({
              data: {
                name,
                provider: input.provider,
                haproxySocket: input.provider === 'haproxy' ? (input.haproxy?.socket ?? null) : null,
                webhookUrl: input.provider === 'webhook' ? (input.webhook?.url ?? null) : null,
                webhookSecretEnc: issued?.sealed ?? null,
                webhookSecretPrefix: issued?.prefix ?? null,
                backends: input.backends,
                serverMapping: input.serverMapping,
                drainTimeoutSeconds: input.drainTimeoutSeconds,
                healthTimeoutSeconds: input.healthTimeoutSeconds,
                killSessionsOnDrainTimeout: input.killSessionsOnDrainTimeout,
              },
            });
            await writeAudit(tx, actor, 'loadBalancer.create', 'loadBalancer', created.id, auditSettings(created));
            return created;
          }),
        { unique: () => balancerExists(name) },
      );
      return { ...toInfo(row, []), ...(issued ? { webhookSecret: issued.secret } : {}) };
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<LoadBalancerPage> {
      const after = decodeCursor(NameCursor, q.cursor);
      const [rows, uses] = await Promise.all([
        prisma.loadBalancer.findMany({
          where: after ? { name: { gt: after.n } } : {},
          orderBy: { name: 'asc' },
          take: q.limit + 1,
        }),
        groupUses(prisma),
      ]);
      return page(
        rows,
        q.limit,
        (lb) => toInfo(lb, usersOf(uses, lb.name)),
        (lb) => ({ n: lb.name }),
      );
    },

    async get(name: string): Promise<LoadBalancerInfoResponse> {
      const [lb, uses] = await Promise.all([find(prisma, name), groupUses(prisma)]);
      return toInfo(lb, usersOf(uses, lb.name));
    },

    async update(name: string, patch: UpdateLoadBalancerRequest, actor: Actor): Promise<LoadBalancerWithSecret> {
      if (patch.haproxy) checkSocket(patch.haproxy.socket, 'body.haproxy.socket');
      if (patch.webhook) checkWebhookUrl(patch.webhook.url, 'body.webhook.url');
      if (patch.backends && new Set(patch.backends).size !== patch.backends.length) {
        throw invalidField('InvalidInput', 'body.backends', 'names a backend twice');
      }
      const { rotateWebhookSecret, ...changes } = patch;
      const { row, secret, uses } = await prisma.$transaction(async (tx) => {
        const current = await find(tx, name, true);
        // Settings of the other provider are a mistake worth naming (the provider itself never changes).
        const other = current.provider === 'haproxy' ? 'webhook' : 'haproxy';
        const wrong =
          current.provider === 'haproxy'
            ? patch.webhook
              ? 'webhook'
              : rotateWebhookSecret
                ? 'rotateWebhookSecret'
                : null
            : patch.haproxy
              ? 'haproxy'
              : null;
        if (wrong) {
          throw invalidField(
            'InvalidInput',
            `body.${wrong}`,
            `only for provider ${other}; ${current.name} is a ${current.provider} balancer`,
          );
        }
        const issued = rotateWebhookSecret ? issueSecret(deps.secretKey, 'body.rotateWebhookSecret') : null;
        const changed = Object.values(changes).some((v) => v !== undefined);
        let updated = current;
        if (changed || issued) {
          updated = await tx.loadBalancer.update({
            where: { id: current.id },
            data: {
              ...(changes.haproxy ? { haproxySocket: changes.haproxy.socket } : {}),
              ...(changes.webhook ? { webhookUrl: changes.webhook.url } : {}),
              ...(changes.backends ? { backends: changes.backends } : {}),
              ...(changes.serverMapping ? { serverMapping: changes.serverMapping } : {}),
              ...(changes.drainTimeoutSeconds !== undefined
                ? { drainTimeoutSeconds: changes.drainTimeoutSeconds }
                : {}),
              ...(changes.healthTimeoutSeconds !== undefined
                ? { healthTimeoutSeconds: changes.healthTimeoutSeconds }
                : {}),
              ...(changes.killSessionsOnDrainTimeout !== undefined
                ? { killSessionsOnDrainTimeout: changes.killSessionsOnDrainTimeout }
                : {}),
              ...(issued ? { webhookSecretEnc: issued.sealed, webhookSecretPrefix: issued.prefix } : {}),
            },
          });
        }
        if (changed) {
          if (changes.backends) await checkUsers(tx, updated);
          await writeAudit(tx, actor, 'loadBalancer.update', 'loadBalancer', current.id, {
            loadBalancerName: current.name,
            changes: changes as Prisma.InputJsonValue,
          });
        }
        if (issued) {
          await writeAudit(tx, actor, 'loadBalancer.rotateSecret', 'loadBalancer', current.id, {
            loadBalancerName: current.name,
            previousSecretPrefix: current.webhookSecretPrefix,
            webhookSecretPrefix: issued.prefix,
          });
        }
        return { row: updated, secret: issued?.secret, uses: await groupUses(tx) };
      });
      return { ...toInfo(row, usersOf(uses, row.name)), ...(secret ? { webhookSecret: secret } : {}) };
    },

    async delete(name: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const lb = await find(tx, name, true);
        const users = usersOf(await groupUses(tx), lb.name);
        if (users.length > 0) {
          throw conflict(
            'LoadBalancerInUse',
            `load balancer ${lb.name} is used by ${users.map(groupText).join(', ')}; change their loadBalancerInfo first`,
            { deploymentGroups: users },
          );
        }
        // A deployment that has not finished may still drive it (its bindings were resolved when it was created).
        const running = await tx.deployment.findMany({
          where: { status: { in: UNFINISHED_DEPLOYMENT_STATUSES }, trafficBindings: { not: Prisma.AnyNull } },
          select: { id: true, trafficBindings: true },
        });
        const driving = running
          .filter((d) =>
            z
              .array(z.object({ loadBalancerId: z.string() }).passthrough())
              .catch([])
              .parse(d.trafficBindings)
              .some((b) => b.loadBalancerId === lb.id),
          )
          .map((d) => d.id);
        if (driving.length > 0) {
          throw conflict(
            'LoadBalancerInUse',
            `load balancer ${lb.name} is driven by unfinished deployment(s) ${driving.join(', ')}; wait for them or stop them`,
            { deploymentIds: driving },
          );
        }
        await tx.loadBalancer.delete({ where: { id: lb.id } });
        await writeAudit(tx, actor, 'loadBalancer.delete', 'loadBalancer', lb.id, { loadBalancerName: lb.name });
      });
    },

    /**
     * What the balancer says now about every server of its backends, each with the registered host it maps to. A
     * balancer that cannot be read is an answer too (reachable false and why), never an error.
     */
    async servers(name: string): Promise<LoadBalancerStatus> {
      const lb = await find(prisma, name);
      const views: ServerView[] = [];
      const problems: string[] = [];
      let reachable = true;
      let provider: TrafficProvider | undefined;
      try {
        provider = providerFor(lb, deps.secretKey);
        for (const backend of lb.backends) {
          try {
            views.push(...(await provider.list([backend])));
          } catch (err) {
            // The balancer answered but knows no such backend (or refused): the other backends are still worth reading.
            if (err instanceof TrafficError && ['UNKNOWN_SERVER', 'REFUSED', 'BAD_ANSWER'].includes(err.code)) {
              problems.push(err.message);
              continue;
            }
            throw err;
          }
        }
      } catch (err) {
        reachable = false;
        views.length = 0;
        problems.push(readable(err));
      } finally {
        await provider?.close().catch(() => undefined);
      }
      const hosts = await hostsOf(lb, views);
      const servers: BalancerServer[] = views.map((v) => ({
        backend: v.backend,
        server: v.server,
        status: v.status,
        adminState: v.adminState,
        health: v.health,
        checkStatus: v.checkStatus,
        sessions: v.sessions,
        queued: v.queued,
        weight: v.weight,
        address: v.address,
        instanceName: hosts.get(v) ?? null,
      }));
      return {
        loadBalancerName: lb.name,
        reachable,
        error: problems.length > 0 ? problems.join('; ') : null,
        servers,
        readAt: new Date().toISOString(),
      };
    },
  };
}

export type LoadBalancerService = ReturnType<typeof createLoadBalancerService>;
