// Canary/linear traffic and alarms of one deployment: "promote now", the traffic steps the balancers were asked for,
// and the runs of alarm evaluations. The stream carries only the deployment itself, so these lists are read again
// whenever the deployment changes (a step applied, a stop, a new status); alarm runs also grow between changes, so
// they are polled while the deployment runs.
import type { AlarmCheckInfo, TrafficShiftInfo } from '@drover/contracts';
import { queryOptions, useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../client';
import { deploymentKeys } from './keys';

/** How often alarm runs are read while a deployment with alarms runs (the watch evaluates every few seconds). */
export const ALARM_POLL_MS = 5_000;

export const trafficQueries = {
  shifts: (id: string) =>
    queryOptions({
      queryKey: deploymentKeys.trafficShifts(id),
      queryFn: async ({ signal }): Promise<TrafficShiftInfo[]> =>
        (await api.deployments.trafficShifts(id, signal)).items,
    }),
  alarmChecks: (id: string) =>
    queryOptions({
      queryKey: deploymentKeys.alarmChecks(id),
      queryFn: async ({ signal }): Promise<AlarmCheckInfo[]> => (await api.deployments.alarmChecks(id, signal)).items,
    }),
};

/** Reads `queryKey` again each time `signature` changes (not on the first render: the query's own fetch covers it). */
export function useRefetchOnChange(queryKey: QueryKey, signature: string): void {
  const qc = useQueryClient();
  const last = useRef(signature);
  const key = useRef(queryKey);
  key.current = queryKey;
  useEffect(() => {
    if (last.current === signature) return;
    last.current = signature;
    void qc.invalidateQueries({ queryKey: key.current, exact: true });
  }, [qc, signature]);
}

/** "Promote now": the remaining steps and the bake are skipped (the API answers 409, with its reason, otherwise). */
export function usePromoteDeployment(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.deployments.promote(id),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: deploymentKeys.detail(id) }),
        qc.invalidateQueries({ queryKey: deploymentKeys.trafficShifts(id) }),
      ]),
  });
}
