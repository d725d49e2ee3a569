// Writes on alarms: create, update and delete (admin), and "Evaluate now" (deployer), whose result becomes the alarm's
// last state in the list.
import type { CreateAlarmRequest, UpdateAlarmRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../client';
import { alarmKeys } from './keys';

export function useCreateAlarm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateAlarmRequest>) => api.alarms.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: alarmKeys.lists() }),
  });
}

export function useUpdateAlarm(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof UpdateAlarmRequest>) => api.alarms.update(name, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: alarmKeys.lists() }),
  });
}

export function useDeleteAlarm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.alarms.delete(name),
    onSuccess: () => qc.invalidateQueries({ queryKey: alarmKeys.lists() }),
  });
}

export function useEvaluateAlarm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.alarms.evaluate(name),
    onSuccess: () => qc.invalidateQueries({ queryKey: alarmKeys.lists() }),
  });
}
