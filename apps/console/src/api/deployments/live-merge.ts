// Pure rules for folding the live stream (GET /v1/deployments/:id/events) into the query cache. The stream and
// the REST reads race each other, so every merge keeps the newer of two versions instead of the last one to arrive.
import {
  DeploymentInfo,
  isTerminalDeploymentStatus,
  StreamLog,
  TargetInfo,
  type DeploymentStatus,
} from '@drover/contracts';

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

// A deployment only moves forward: Created → Queued → running → terminal. The running statuses share one rank: a
// blue/green deployment goes back from Ready to InProgress when traffic is rerouted, and from Baking to InProgress
// when its originals are blocked after a canary's bake.
const STATUS_RANK: Record<DeploymentStatus, number> = {
  Created: 0,
  Queued: 1,
  InProgress: 2,
  Baking: 2,
  Ready: 2,
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
  if (isTerminalDeploymentStatus(current.status) && !isTerminalDeploymentStatus(incoming.status)) return current;
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
export function mergeTargets(
  current: TargetInfo[] | undefined,
  updates: readonly TargetInfo[],
): TargetInfo[] | undefined {
  if (!current) return undefined;
  if (updates.length === 0) return current;
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
  return changed ? next : current;
}

/** After a full REST read: the fetched list, except where the cache already holds a newer copy from the stream. */
export function reconcileTargets(
  cached: readonly TargetInfo[] | undefined,
  fetched: readonly TargetInfo[],
): TargetInfo[] {
  if (!cached || cached.length === 0) return [...fetched];
  const byId = new Map(cached.map((t) => [t.targetId, t] as const));
  return fetched.map((f) => {
    const c = byId.get(f.targetId);
    return c && updatedAt(c) > updatedAt(f) ? c : f;
  });
}

// ---------------------------------------------------------------- logs

/**
 * A piece of one event's output covering sequence numbers [seq, end). A stream message is one chunk (end = seq + 1);
 * a range read (GET …/log?fromSeq=n, answered as text with x-drover-next-seq) covers several at once.
 */
export interface LogChunk {
  seq: number;
  end: number;
  data: string;
}

export interface LogState {
  /** Non-overlapping, ascending by seq. */
  chunks: readonly LogChunk[];
  /** Ask the server for output from here on: the first sequence number not covered (counting from 0, or from the
   *  first kept chunk once the head was dropped), so a gap left by a race between stream and range read is filled. */
  nextSeq: number;
  /** Characters dropped from the start to keep the browser responsive on huge logs. */
  droppedChars: number;
}

/** Logs larger than this keep only their tail in the browser (the full log stays downloadable from the API). */
export const MAX_LOG_CHARS = 2_000_000;

export const EMPTY_LOG: LogState = { chunks: [], nextSeq: 0, droppedChars: 0 };

export const streamChunk = (seq: number, data: string): LogChunk => ({ seq, end: seq + 1, data });

const covers = (outer: LogChunk, inner: LogChunk): boolean => outer.seq <= inner.seq && inner.end <= outer.end;

function firstGap(chunks: readonly LogChunk[], from: number): number {
  let expected = from;
  for (const c of chunks) {
    if (c.end <= expected) continue;
    if (c.seq > expected) return expected;
    expected = c.end;
  }
  return expected;
}

/**
 * Adds output (stream messages or range reads): ignores what is already covered, lets a range replace the single
 * messages it contains, restores order, and keeps only the tail of huge logs.
 */
export function appendLogChunks(
  current: LogState | undefined,
  incoming: readonly LogChunk[],
  maxChars = MAX_LOG_CHARS,
): LogState {
  const base = current ?? EMPTY_LOG;
  // Once the head was dropped, a replay of old output must not bring it back.
  const floor = base.droppedChars > 0 ? (base.chunks[0]?.seq ?? base.nextSeq) : 0;
  let chunks = [...base.chunks];
  let changed = false;
  for (const c of incoming) {
    if (c.end <= c.seq || c.seq < floor) continue;
    if (chunks.some((k) => covers(k, c))) continue;
    chunks = chunks.filter((k) => !covers(c, k));
    chunks.push(c);
    changed = true;
  }
  if (!changed) return base;
  chunks.sort((a, b) => a.seq - b.seq);
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

export const logText = (state: LogState): string => state.chunks.map((c) => c.data).join('');
