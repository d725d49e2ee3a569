// Writes on notification targets (admin only). Create and rotate answer a webhook target's signing secret once.
import type { CreateNotificationTargetRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../client';
import { notificationTargetKeys } from './keys';

export function useCreateNotificationTarget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateNotificationTargetRequest>) => api.notificationTargets.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationTargetKeys.lists() }),
  });
}

/** A new signing secret; the answer carries it as `signingSecret`, the only time it is shown. */
export function useRotateSigningSecret(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.notificationTargets.update(name, { rotateSecret: true }),
    onSuccess: (t) => {
      const { signingSecret: _secret, ...info } = t;
      qc.setQueryData(notificationTargetKeys.detail(name), info);
      return qc.invalidateQueries({ queryKey: notificationTargetKeys.lists() });
    },
  });
}

export function useDeleteNotificationTarget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.notificationTargets.delete(name),
    onSuccess: (_data, name) => {
      qc.removeQueries({ queryKey: notificationTargetKeys.detail(name) });
      return qc.invalidateQueries({ queryKey: notificationTargetKeys.lists() });
    },
  });
}

export function useSendTestEvent(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.notificationTargets.test(name),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationTargetKeys.deliveries(name) }),
  });
}

export function useRedeliver(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => api.notificationTargets.redeliver(name, deliveryId),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationTargetKeys.deliveries(name) }),
  });
}
