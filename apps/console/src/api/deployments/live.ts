// Live updates for one deployment: the SSE stream GET /v1/deployments/:id/events folded into the query cache.
// Messages are buffered and applied together every FLUSH_MS, so 2,000 hosts reporting at once cost one render.
// If the stream fails, the page falls back to polling (see useLiveMode's callers) until the deployment is terminal.
import {
  isTerminalDeploymentStatus,
  type DeploymentInfo,
  type DeploymentStatus,
  type TargetInfo,
} from '@drover/contracts';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../client';
import { deploymentKeys } from './keys';
import {
  appendLogChunks,
  mergeDeployment,
  mergeTargets,
  parseStreamEvent,
  streamChunk,
  type LogChunk,
  type LogState,
  type StreamEvent,
} from './live-merge';

export const FLUSH_MS = 150;
export const POLL_MS = 2_000;

/** connecting → live; `fallback` while the stream is down (poll instead); `done` once the deployment is terminal. */
export type LiveMode = 'connecting' | 'live' | 'fallback' | 'done';

/** Applies one buffer of stream messages to the cache. Returns the latest deployment status seen, if any. */
export function applyStreamBatch(qc: QueryClient, id: string, events: readonly StreamEvent[]): DeploymentStatus | null {
  let status: DeploymentStatus | null = null;
  const targets: TargetInfo[] = [];
  const logs = new Map<string, { key: ReturnType<typeof deploymentKeys.log>; chunks: LogChunk[] }>();
  for (const e of events) {
    if (e.type === 'deployment') {
      if (e.data.deploymentId !== id) continue;
      qc.setQueryData<DeploymentInfo>(deploymentKeys.detail(id), (cur) => mergeDeployment(cur, e.data));
      status = qc.getQueryData<DeploymentInfo>(deploymentKeys.detail(id))?.status ?? e.data.status;
    } else if (e.type === 'target') {
      targets.push(e.data);
    } else {
      const key = deploymentKeys.log(id, e.data.targetId, e.data.eventName);
      const k = JSON.stringify(key);
      const entry = logs.get(k) ?? { key, chunks: [] };
      entry.chunks.push(streamChunk(e.data.seq, e.data.data));
      logs.set(k, entry);
    }
  }
  if (targets.length > 0) {
    qc.setQueryData<TargetInfo[]>(deploymentKeys.targets(id), (cur) => mergeTargets(cur, targets));
  }
  for (const { key, chunks } of logs.values()) {
    // Only logs someone has open are kept (even while their first read is in flight); the others are read from
    // the API when opened.
    if (!qc.getQueryCache().find({ queryKey: key, exact: true })) continue;
    qc.setQueryData<LogState>(key, (cur) => appendLogChunks(cur, chunks));
  }
  return status;
}

/** The part of EventSource this hook uses. */
export interface LiveSource {
  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void;
  removeEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void;
  close(): void;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export interface LiveOptions {
  /** Injected by tests; the browser's EventSource otherwise. */
  createEventSource?: (url: string) => LiveSource;
}

/** Subscribes to a deployment's stream while it is not terminal; tells the page whether it must poll instead. */
export function useDeploymentLive(id: string, status: DeploymentStatus | undefined, opts: LiveOptions = {}): LiveMode {
  const qc = useQueryClient();
  const terminal = status !== undefined && isTerminalDeploymentStatus(status);
  const [mode, setMode] = useState<LiveMode>(terminal ? 'done' : 'connecting');
  const create = opts.createEventSource;

  useEffect(() => {
    if (terminal) {
      setMode('done');
      return;
    }
    if (typeof EventSource === 'undefined' && !create) {
      setMode('fallback');
      return;
    }
    setMode('connecting');
    const url = api.deployments.eventsUrl(id);
    const source: LiveSource = create ? create(url) : new EventSource(url);
    let buffer: StreamEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    let connectStartedAt = Date.now();

    const close = () => {
      closed = true;
      source.close();
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const flush = () => {
      timer = null;
      const batch = buffer;
      buffer = [];
      const latest = applyStreamBatch(qc, id, batch);
      if (latest && isTerminalDeploymentStatus(latest)) {
        close();
        // One last full read so every cell shows its final state even if a message was missed.
        void qc.invalidateQueries({ queryKey: deploymentKeys.targets(id) });
        setMode('done');
      }
    };
    const onMessage = (type: string) => (ev: MessageEvent<string>) => {
      const parsed = parseStreamEvent(type, ev.data);
      if (!parsed || closed) return;
      buffer.push(parsed);
      if (timer === null) timer = setTimeout(flush, FLUSH_MS);
    };
    const listeners = (['deployment', 'target', 'log'] as const).map((type) => [type, onMessage(type)] as const);
    for (const [type, fn] of listeners) source.addEventListener(type, fn);

    source.onopen = () => {
      if (closed) return;
      setMode('live');
      // Catch up on anything that happened while we were not subscribed (first connect or a reconnect).
      void qc.invalidateQueries({ queryKey: deploymentKeys.detail(id) });
      const state = qc.getQueryState(deploymentKeys.targets(id));
      if (state?.data !== undefined && state.dataUpdatedAt < connectStartedAt) {
        void qc.invalidateQueries({ queryKey: deploymentKeys.targets(id) });
      }
    };
    source.onerror = () => {
      if (closed) return;
      // The browser retries on its own while CONNECTING; poll meanwhile. CLOSED means it gave up for good.
      connectStartedAt = Date.now();
      setMode('fallback');
    };

    return () => {
      for (const [type, fn] of listeners) source.removeEventListener(type, fn);
      close();
    };
  }, [id, terminal, qc, create]);

  return mode;
}

/** refetchInterval for queries on a live page: poll only when the stream is down and the deployment still moves. */
export function fallbackInterval(mode: LiveMode): number | false {
  return mode === 'fallback' || mode === 'connecting' ? POLL_MS : false;
}
