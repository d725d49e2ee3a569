// Redis pub/sub for things that must reach other processes at once: "this host has work" (wakes a held long-poll)
// and "this deployment changed" (feeds the live streams). Losing a message only delays: long-polls end within 25 s
// and streams re-read state from PostgreSQL.
import type { Redis } from 'ioredis';
import { createCoalescer } from './coalesce';

type DeploymentNotice =
  | { t: 'dep' }
  | { t: 'tgt'; ids: string[] }
  | { t: 'log'; targetId: string; eventName: string; seq: number; data: string };

interface Channels {
  wake: string;
  deployment(id: string): string;
  deploymentPattern: string;
}

export function channels(prefix: string): Channels {
  return {
    wake: `${prefix}:wake`,
    deployment: (id) => `${prefix}:dep:${id}`,
    deploymentPattern: `${prefix}:dep:*`,
  };
}

// Large fleets start thousands of hosts at once; keep each message a sane size.
const WAKE_CHUNK = 2000;

export function createNotifier(redis: Redis, prefix: string) {
  const ch = channels(prefix);
  // "These hosts changed" notices for one deployment are merged while one is being published: a large deployment's
  // hosts finishing together cost a few messages instead of one each (and the streams re-read them once).
  const targets = createCoalescer<string[]>(async (id, lists) => {
    const ids = [...new Set(lists.flat())];
    await redis.publish(ch.deployment(id), JSON.stringify({ t: 'tgt', ids } satisfies DeploymentNotice));
  });
  return {
    channels: ch,
    async wake(instanceIds: readonly string[]) {
      for (let i = 0; i < instanceIds.length; i += WAKE_CHUNK) {
        await redis.publish(ch.wake, instanceIds.slice(i, i + WAKE_CHUNK).join(',')).catch(() => 0);
      }
    },
    async deployment(id: string, notice: DeploymentNotice) {
      if (notice.t === 'tgt') await targets.add(id, notice.ids).catch(() => 0);
      else await redis.publish(ch.deployment(id), JSON.stringify(notice)).catch(() => 0);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
