// Agent upgrades (#19): an admin picks hosts (or every outdated one); each host's agent is handed the order on an
// idle poll, downloads this server's build, checks it, replaces itself and restarts; the host has upgraded when it
// polls with the new version. A host running a lifecycle event is refused when the upgrade is asked for, and an
// agent only ever takes the order between commands, so no event is interrupted.
import type { AgentUpgradeOrder, AgentUpgradeInfo, CreateAgentUpgradeRequest } from '@drover/contracts';
import type { AgentUpgrade, AgentUpgradeTarget, PrismaClient } from '@drover/db';
import {
  countUpgradeTargets,
  decideOnPoll,
  overdueMessage,
  upgradeStatus,
  type UpgradeTargetStatus,
} from '@drover/domain';
import { conflict, notFound, writeAudit, type Actor } from '@drover/engine';
import type { AgentArtefacts } from './agent-downloads/agent-artefacts';
import { afterNewestFirst, iso, isoOrNull, NEWEST_FIRST, newestFirstCursorOf, page } from './service-support';

const OPEN: UpgradeTargetStatus[] = ['Pending', 'Sent'];
/** Hosts named in a refusal; the rest are counted. */
const NAMED = 20;

type TargetRow = AgentUpgradeTarget & { instance: { name: string } };
type UpgradeRow = AgentUpgrade & { targets: TargetRow[] };

function toInfo(u: UpgradeRow): AgentUpgradeInfo {
  const counts = countUpgradeTargets(u.targets.map((t) => t.status as UpgradeTargetStatus));
  return {
    upgradeId: u.id,
    targetVersion: u.targetVersion,
    status: upgradeStatus(counts),
    createdAt: iso(u.createdAt),
    createdBy: u.createdBy,
    counts,
    targets: u.targets
      .map((t) => ({
        instanceId: t.instanceId,
        instanceName: t.instance.name,
        fromVersion: t.fromVersion,
        status: t.status as UpgradeTargetStatus,
        attempts: t.attempts,
        message: t.message,
        sentAt: isoOrNull(t.sentAt),
        endedAt: isoOrNull(t.endedAt),
      }))
      .sort((a, b) => a.instanceName.localeCompare(b.instanceName)),
  };
}

const stateOf = (t: { status: string; attempts: number; sentAt: Date | null }) => ({
  status: t.status as UpgradeTargetStatus,
  attempts: t.attempts,
  sentAt: t.sentAt,
});

const named = (names: string[]) =>
  names.slice(0, NAMED).join(', ') + (names.length > NAMED ? ` and ${names.length - NAMED} more` : '');

export function createAgentUpgradeService(deps: {
  prisma: PrismaClient;
  artefacts: AgentArtefacts;
  wake: (instanceIds: string[]) => Promise<void>;
  now?: () => Date;
}) {
  const { prisma, artefacts } = deps;
  const now = deps.now ?? (() => new Date());
  const withTargets = { targets: { include: { instance: { select: { name: true } } } } } as const;

  /** Hosts of an upgrade handed it that never came back with the new version are failed, with what to check. */
  async function failOverdue(upgradeId: string) {
    const sent = await prisma.agentUpgradeTarget.findMany({
      where: { upgradeId, status: 'Sent' },
      include: { upgrade: { select: { targetVersion: true } } },
    });
    const at = now();
    for (const t of sent) {
      const message = overdueMessage(stateOf(t), at, t.upgrade.targetVersion);
      if (message) await endTarget(t, 'Failed', at, message);
    }
  }

  /** Ends a host's part, unless another call changed it since it was read. */
  const endTarget = (
    t: { id: string; status: string; attempts: number },
    status: 'Succeeded' | 'Failed',
    at: Date,
    message?: string,
  ) =>
    prisma.agentUpgradeTarget.updateMany({
      where: { id: t.id, status: t.status, attempts: t.attempts },
      data: { status, endedAt: at, ...(message ? { message } : {}) },
    });

  return {
    async create(body: CreateAgentUpgradeRequest, actor: Actor) {
      const version = await artefacts.version();
      const offered = await artefacts.list();
      if (!version || offered.length === 0) {
        throw conflict(
          'AgentBuildNotAvailable',
          'this server has no agent build to upgrade to; the operator runs `pnpm build` (GET /agent/download lists the builds)',
        );
      }
      const chosen = body.instanceNames
        ? await prisma.instance.findMany({ where: { name: { in: body.instanceNames }, deregisteredAt: null } })
        : await prisma.instance.findMany({
            where: { deregisteredAt: null, OR: [{ agentVersion: null }, { agentVersion: { not: version } }] },
          });
      if (body.instanceNames) {
        const found = new Set(chosen.map((i) => i.name));
        const missing = [...new Set(body.instanceNames)].filter((n) => !found.has(n));
        if (missing.length) {
          throw notFound('InstanceNotRegistered', `no registered instance named ${named(missing)}`, {
            instanceNames: missing,
          });
        }
      }
      const alreadyCurrent = chosen.filter((i) => i.agentVersion === version).map((i) => i.name);
      const todo = chosen.filter((i) => i.agentVersion !== version);
      if (todo.length === 0) {
        throw conflict(
          'NothingToUpgrade',
          body.allOutdated
            ? `every registered host's agent already runs ${version}`
            : `the agents of ${named(alreadyCurrent)} already run ${version}`,
        );
      }
      const created = await prisma.$transaction(async (tx) => {
        const ids = todo.map((i) => i.id);
        // A refusal the asker can act on. It is not what protects a running event: an agent runs one command at a
        // time and takes an upgrade only on a poll with nothing to run, so a deployment that starts after this
        // check has its events run first and the upgrade waits for the host to be idle.
        const running = await tx.lifecycleEvent.findMany({
          where: { instanceId: { in: ids }, status: 'InProgress', dispatchedAt: { not: null } },
          select: { instanceId: true },
          distinct: ['instanceId'],
        });
        if (running.length) {
          const busy = todo.filter((i) => running.some((r) => r.instanceId === i.id)).map((i) => i.name);
          throw conflict(
            'InstancesBusy',
            `${named(busy)} ${busy.length === 1 ? 'is' : 'are'} running a lifecycle event; an agent is upgraded only ` +
              'between events: ask again when the deployment is done, or leave those hosts out',
            { instanceNames: busy },
          );
        }
        const open = await tx.agentUpgradeTarget.findMany({
          where: { instanceId: { in: ids }, status: { in: OPEN } },
          select: { instanceId: true, upgradeId: true },
        });
        if (open.length) {
          const names = todo.filter((i) => open.some((o) => o.instanceId === i.id)).map((i) => i.name);
          throw conflict(
            'UpgradeAlreadyInProgress',
            `${named(names)} ${names.length === 1 ? 'is' : 'are'} already being upgraded (upgrade ${open[0]!.upgradeId})`,
            { instanceNames: names },
          );
        }
        const upgrade = await tx.agentUpgrade.create({
          data: { targetVersion: version, createdBy: `${actor.type}:${actor.name ?? actor.id ?? 'unknown'}` },
        });
        await tx.agentUpgradeTarget.createMany({
          data: todo.map((i) => ({ upgradeId: upgrade.id, instanceId: i.id, fromVersion: i.agentVersion })),
        });
        await writeAudit(tx, actor, 'agentUpgrade.create', 'agentUpgrade', upgrade.id, {
          targetVersion: version,
          instances: todo.map((i) => i.name),
          alreadyCurrent,
        });
        return tx.agentUpgrade.findUniqueOrThrow({ where: { id: upgrade.id }, include: withTargets });
      });
      // Held polls answer at once; a host whose agent is offline takes the upgrade when it comes back.
      await deps.wake(todo.map((i) => i.id));
      return { ...toInfo(created), alreadyCurrent };
    },

    async get(upgradeId: string) {
      await failOverdue(upgradeId);
      const u = await prisma.agentUpgrade.findUnique({ where: { id: upgradeId }, include: withTargets });
      if (!u) throw notFound('AgentUpgradeDoesNotExist', `agent upgrade ${upgradeId} does not exist`);
      return toInfo(u);
    },

    async list(q: { cursor?: string | undefined; limit: number }) {
      const rows = await prisma.agentUpgrade.findMany({
        where: afterNewestFirst(q.cursor),
        orderBy: NEWEST_FIRST,
        take: q.limit + 1,
        include: withTargets,
      });
      return page(rows, q.limit, toInfo, newestFirstCursorOf);
    },

    /**
     * An idle poll from a host with an open upgrade (the agent runs nothing: it polls only between commands):
     * records a host that now runs the new version, hands the order over again or gives up. Returns the order, or
     * null when there is none for this host.
     */
    async onIdlePoll(instanceId: string, reportedVersion: string | null): Promise<AgentUpgradeOrder | null> {
      const open = await prisma.agentUpgradeTarget.findFirst({
        where: { instanceId, status: { in: OPEN } },
        include: { upgrade: { select: { targetVersion: true } } },
      });
      if (!open) return null;
      const at = now();
      const target = open.upgrade.targetVersion;
      const overdue = overdueMessage(stateOf(open), at, target);
      if (overdue && reportedVersion !== target) {
        await endTarget(open, 'Failed', at, overdue);
        return null;
      }
      const decision = decideOnPoll(stateOf(open), reportedVersion, target);
      if (decision.kind === 'succeeded') {
        // The host's version is written with it (polls record versions in batches, a moment later), so an upgrade
        // that reads Succeeded never sits beside an instance still showing the old version.
        await prisma.$transaction([
          endTarget(open, 'Succeeded', at),
          prisma.instance.update({ where: { id: instanceId }, data: { agentVersion: reportedVersion } }),
        ]);
        return null;
      }
      if (decision.kind === 'fail') {
        await endTarget(open, 'Failed', at, decision.message);
        return null;
      }
      if (decision.kind !== 'send') return null;
      // The server's build may have changed since the upgrade was asked for: hand over only the version promised.
      const version = await artefacts.version();
      if (version !== target) {
        const message = `this server's agent build is now ${version ?? 'missing'}, not ${target}: ask for a new upgrade`;
        await endTarget(open, 'Failed', at, message);
        return null;
      }
      const handed = await prisma.agentUpgradeTarget.updateMany({
        where: { id: open.id, status: open.status, attempts: open.attempts },
        data: { status: 'Sent', attempts: { increment: 1 }, sentAt: at },
      });
      // Another poll of the same host took it first (a retried request): that one carries the order.
      if (handed.count === 0) return null;
      return { upgradeId: open.upgradeId, version, artefacts: await artefacts.list() };
    },

    /** The agent could not upgrade and said why; it goes on running its current version. */
    async reportFailure(instanceId: string, upgradeId: string, message: string): Promise<boolean> {
      const t = await prisma.agentUpgradeTarget.findUnique({
        where: { upgradeId_instanceId: { upgradeId, instanceId } },
      });
      if (!t) throw notFound('AgentUpgradeDoesNotExist', `no upgrade ${upgradeId} for this instance`);
      if (t.status !== 'Sent' && t.status !== 'Pending') return false;
      const r = await prisma.agentUpgradeTarget.updateMany({
        where: { id: t.id, status: t.status },
        data: { status: 'Failed', message: `the agent reported: ${message}`, endedAt: now() },
      });
      return r.count > 0;
    },

    /** Instance ids with an open upgrade: what the poll path checks before asking PostgreSQL about a host. */
    async openInstanceIds(): Promise<Set<string>> {
      const rows = await prisma.agentUpgradeTarget.findMany({
        where: { status: { in: OPEN } },
        select: { instanceId: true },
      });
      return new Set(rows.map((r) => r.instanceId));
    },
  };
}

export type AgentUpgradeService = ReturnType<typeof createAgentUpgradeService>;
