// Pure rules for folding the live stream (GET /v1/deployments/:id/events) into the query cache. The stream and
// the REST reads race each other, so every merge keeps the newer of two versions instead of the last one to arrive.
import { DeploymentInfo, StreamLog, TargetInfo, type DeploymentStatus } from '@drover/contracts';
import { isTerminal } from './terminal';

export type StreamEvent =
  | { type: 'deployment'; data: DeploymentInfo }
  | { type: 'target'; data: TargetInfo }
  | { type: 'log'; data: StreamLog };

/** Parses one SSE message; null (and the stream goes on) for unknown types or payloads that fail the contract. */
export function parseStreamEvent(type: string, raw: string): StreamEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  switch (type) {
    case 'deployment': {
      const r = DeploymentInfo.safeParse(json);
      return r.success ? { type, data: r.data } : null;
    }
    case 'target': {
      const r = TargetInfo.safeParse(json);
      return r.success ? { type, data: r.data } : null;
    }
    case 'log': {
      const r = StreamLog.safeParse(json);
      return r.success ? { type, data: r.data } : null;
    }
    default:
      return null;
  }
}

// A deployment only moves forward: Created → Queued → InProgress → (Baking | Ready) → terminal.
const STATUS_RANK: Record<DeploymentStatus, number> = {
  Created: 0,
  Queued: 1,
  InProgress: 2,
  Baking: 3,
  Ready: 3,
  Succeeded: 4,
  Failed: 4,
  Stopped: 4,
};

/**
 * The deployment to keep when `incoming` arrives while `current` is cached. A stale copy (an earlier status, or
 * a non-terminal one after the deployment finished) never replaces a later one; otherwise the incoming copy wins.
 */
export function mergeDeployment(current: DeploymentInfo | undefined, incoming: DeploymentInfo): DeploymentInfo {
  if (!current) return incoming;
  if (isTerminal(current.status) && !isTerminal(incoming.status)) return current;
  if (STATUS_RANK[incoming.status] < STATUS_RANK[current.status]) return current;
  // A rollback link, once known, is never lost to an older copy that did not have it yet.
  if (current.rollbackInfo.rollbackDeploymentId && !incoming.rollbackInfo.rollbackDeploymentId) {
    return { ...incoming, rollbackInfo: current.rollbackInfo };
  }
  return incoming;
}

const updatedAt = (t: TargetInfo): number => Date.parse(t.lastUpdatedAt);

/** The newer of two copies of one target; on a tie the incoming copy wins (its events may have moved on). */
export function newerTarget(current: TargetInfo, incoming: TargetInfo): TargetInfo {
  return updatedAt(incoming) < updatedAt(current) ? current : incoming;
}

/** Stable display order: batch, then instance name. */
export function compareTargets(a: TargetInfo, b: TargetInfo): number {
  return a.batch - b.batch || (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0);
}

/**
 * Applies stream updates to the cached target list. Unchanged targets keep their identity (so memoised grid rows
 * skip re-rendering); unknown targets are inserted in display order. Returns `current` itself when nothing changed.
 */
export function mergeTargets(current: readonly TargetInfo[] | undefined, updates: readonly TargetInfo[]): TargetInfo[] | undefined {
  if (!current) return undefined;
  if (updates.length === 0) return current as TargetInfo[];
  const latest = new Map<string, TargetInfo>();
  for (const u of updates) {
    const prev = latest.get(u.targetId);
    latest.set(u.targetId, prev ? newerTarget(prev, u) : u);
  }
  let changed = false;
  const next = current.map((t) => {
    const u = latest.get(t.targetId);
    if (!u) return t;
    latest.delete(t.targetId);
    const winner = newerTarget(t, u);
    if (winner !== t) changed = true;
    return winner;
  });
  if (latest.size > 0) {
    changed = true;
    next.push(...latest.values());
    next.sort(compareTargets);
  }
  return changed ? next : (current as TargetInfo[]);
}

/** After a full REST read: the fetched list, except where the cache already holds a newer copy from the stream. */
export function reconcileTargets(cached: readonly TargetInfo[] | undefined, fetched: readonly TargetInfo[]): TargetInfo[] {
  if (!cached || cached.length === 0) return [...fetched];
  const byId = new Map(cached.map((t) => [t.targetId, t] as const));
  return fetched.map((f) => {
    const c = byId.get(f.targetId);
    return c && updatedAt(c) > updatedAt(f) ? c : f;
  });
}

// ---------------------------------------------------------------- logs

export interface LogChunk {
  seq: number;
  data: string;
}

export interface LogState {
  /** Unique by seq, ascending. */
  chunks: readonly LogChunk[];
  /** Ask the server for chunks from here on: the first missing seq (counting from 0, or from the first kept chunk
   *  once the head was dropped), so a gap left by a race between the stream and a range read is filled. */
  nextSeq: number;
  /** Characters dropped from the start to keep the browser responsive on huge logs. */
  droppedChars: number;
}

/** Logs larger than this keep only their tail in the browser (the full log stays downloadable from the API). */
export const MAX_LOG_CHARS = 2_000_000;

export const EMPTY_LOG: LogState = { chunks: [], nextSeq: 0, droppedChars: 0 };

/** Adds chunks (from the stream or a range read), ignoring replays, restoring order, and capping the size. */
export function appendLogChunks(current: LogState | undefined, incoming: readonly LogChunk[], maxChars = MAX_LOG_CHARS): LogState {
  const base = current ?? EMPTY_LOG;
  if (incoming.length === 0) return base;
  const seen = new Set(base.chunks.map((c) => c.seq));
  // Once the head was dropped, a replay of an old chunk must not bring it back.
  const floor = base.droppedChars > 0 ? (base.chunks[0]?.seq ?? base.nextSeq) : 0;
  const fresh: LogChunk[] = [];
  for (const c of incoming) {
    if (c.seq < floor || seen.has(c.seq)) continue;
    seen.add(c.seq);
    fresh.push(c);
  }
  if (fresh.length === 0) return base;
  let chunks = [...base.chunks, ...fresh];
  for (let i = 1; i < chunks.length; i += 1) {
    if ((chunks[i]?.seq ?? 0) < (chunks[i - 1]?.seq ?? 0)) {
      chunks.sort((a, b) => a.seq - b.seq);
      break;
    }
  }
  let total = chunks.reduce((n, c) => n + c.data.length, 0);
  let droppedChars = base.droppedChars;
  let drop = 0;
  while (total > maxChars && drop < chunks.length - 1) {
    const c = chunks[drop];
    if (!c) break;
    total -= c.data.length;
    droppedChars += c.data.length;
    drop += 1;
  }
  if (drop > 0) chunks = chunks.slice(drop);
  return { chunks, nextSeq: firstGap(chunks, droppedChars > 0 ? (chunks[0]?.seq ?? 0) : 0), droppedChars };
}

function firstGap(chunks: readonly LogChunk[], from: number): number {
  let expected = from;
  for (const c of chunks) {
    if (c.seq < expected) continue;
    if (c.seq > expected) return expected;
    expected += 1;
  }
  return expected;
}

export const logText = (state: LogState): string => state.chunks.map((c) => c.data).join('');
