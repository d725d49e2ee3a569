// Reads for deployments. Live pages combine these with the stream (live.ts); polling is only the fallback.
import { collectPages } from '@drover/client';
import type { DeploymentInfo, LifecycleEventName, PlanRequest, PlanResponse, TargetInfo } from '@drover/contracts';
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { deploymentKeys, type DeploymentListFilter } from './keys';
import { appendLogChunks, reconcileTargets, type LogChunk, type LogState } from './live-merge';

export function fetchDeployment(id: string, signal?: AbortSignal): Promise<DeploymentInfo> {
  return api.deployments.get(id, signal);
}

export function fetchDeployments(filter: DeploymentListFilter, signal?: AbortSignal) {
  return api.deployments.list(filter, signal);
}

/** Every target of a deployment, following cursors (the API returns up to 1,000 per page). */
export async function fetchAllTargets(id: string, signal?: AbortSignal): Promise<TargetInfo[]> {
  return (await collectPages((cursor) => api.deployments.targets(id, { limit: 1000, cursor }, signal))).items;
}

/**
 * Output of one lifecycle event from `fromSeq` on. The API answers text/plain and says, in x-drover-next-seq, where
 * the text ends; the answer becomes one range chunk [fromSeq, next).
 */
export async function fetchLogRange(
  id: string,
  targetId: string,
  eventName: LifecycleEventName,
  fromSeq: number,
  signal?: AbortSignal,
): Promise<LogChunk[]> {
  const { text, nextSeq } = await api.deployments.log(id, targetId, eventName, {
    fromSeq,
    ...(signal ? { signal } : {}),
  });
  // The client gives fromSeq when the header is missing or unusable, which rangeChunk places the same way.
  return rangeChunk(fromSeq, String(nextSeq), text);
}

export function rangeChunk(fromSeq: number, nextSeqHeader: string | null, text: string): LogChunk[] {
  const next = Number(nextSeqHeader);
  // Without the header we cannot place the text; treat it as the whole log from fromSeq (one chunk).
  const end = Number.isInteger(next) && next > fromSeq ? next : text === '' ? fromSeq : fromSeq + 1;
  return end > fromSeq ? [{ seq: fromSeq, end, data: text }] : [];
}

export const deploymentQueries = {
  detail: (id: string) =>
    queryOptions({
      queryKey: deploymentKeys.detail(id),
      queryFn: ({ signal }) => fetchDeployment(id, signal),
    }),
  list: (filter: DeploymentListFilter) =>
    queryOptions({
      queryKey: deploymentKeys.list(filter),
      queryFn: ({ signal }) => fetchDeployments(filter, signal),
    }),
  /** The fetched list, reconciled with any newer copies the stream already put in the cache. */
  targets: (id: string, client: QueryClient) =>
    queryOptions({
      queryKey: deploymentKeys.targets(id),
      queryFn: async ({ signal }) => {
        const fetched = await fetchAllTargets(id, signal);
        return reconcileTargets(client.getQueryData<TargetInfo[]>(deploymentKeys.targets(id)), fetched);
      },
    }),
  /** One event's log: a range read from 0, then the stream (or a fallback poll) appends the rest. */
  log: (id: string, targetId: string, eventName: LifecycleEventName, client: QueryClient) =>
    queryOptions({
      queryKey: deploymentKeys.log(id, targetId, eventName),
      queryFn: async ({ signal }): Promise<LogState> => {
        const key = deploymentKeys.log(id, targetId, eventName);
        const from = client.getQueryData<LogState>(key)?.nextSeq ?? 0;
        const chunks = await fetchLogRange(id, targetId, eventName, from, signal);
        // Read the cache again: stream messages may have landed while the request was in flight.
        return appendLogChunks(client.getQueryData<LogState>(key), chunks);
      },
      staleTime: Infinity,
    }),
};

export function fetchPlan(input: PlanRequest, signal?: AbortSignal): Promise<PlanResponse> {
  return api.deployments.plan(input, signal);
}

export const planQuery = (input: PlanRequest | null) =>
  queryOptions({
    queryKey: deploymentKeys.plan(input ?? {}),
    queryFn: ({ signal }) => {
      if (!input) throw new Error('pick a deployment group first');
      return fetchPlan(input, signal);
    },
    enabled: input !== null,
    staleTime: 10_000,
  });
