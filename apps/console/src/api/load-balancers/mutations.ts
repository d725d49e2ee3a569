// Writes on load balancers (admin only). Create and rotate answer a webhook balancer's secret once.
import type { CreateLoadBalancerRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../client';
import { loadBalancerKeys } from './keys';

export function useCreateLoadBalancer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateLoadBalancerRequest>) => api.loadBalancers.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: loadBalancerKeys.lists() }),
  });
}

/** A new webhook secret; the answer carries it as `webhookSecret`, the only time it is shown. */
export function useRotateWebhookSecret(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.loadBalancers.update(name, { rotateWebhookSecret: true }),
    onSuccess: (lb) => {
      const { webhookSecret: _secret, ...info } = lb;
      qc.setQueryData(loadBalancerKeys.detail(name), info);
      return qc.invalidateQueries({ queryKey: loadBalancerKeys.lists() });
    },
  });
}

export function useDeleteLoadBalancer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.loadBalancers.delete(name),
    onSuccess: (_data, name) => {
      qc.removeQueries({ queryKey: loadBalancerKeys.detail(name) });
      return qc.invalidateQueries({ queryKey: loadBalancerKeys.lists() });
    },
  });
}
