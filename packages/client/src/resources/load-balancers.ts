// /v1/load-balancers: the balancers deployments drive (HAProxy sockets, signed webhooks), and their live servers.
import {
  LoadBalancerInfoResponse,
  LoadBalancerPage,
  LoadBalancerStatus,
  LoadBalancerWithSecret,
  type CreateLoadBalancerRequest,
  type ListLoadBalancersQuery,
  type UpdateLoadBalancerRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function loadBalancersApi(t: Transport) {
  const one = (name: string) => `/v1/load-balancers/${encode(name)}`;
  return {
    list: (query: Partial<z.input<typeof ListLoadBalancersQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/load-balancers', LoadBalancerPage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), LoadBalancerInfoResponse, { signal }),
    /** Admin. A webhook balancer's answer carries `webhookSecret`, shown only here. */
    create: (body: z.input<typeof CreateLoadBalancerRequest>) =>
      t.json('POST', '/v1/load-balancers', LoadBalancerWithSecret, { json: body }),
    /** Admin. Only the fields given change; `rotateWebhookSecret: true` returns the new `webhookSecret` once. */
    update: (name: string, body: z.input<typeof UpdateLoadBalancerRequest>) =>
      t.json('PATCH', one(name), LoadBalancerWithSecret, { json: body }),
    /** Admin. Refused (409 LoadBalancerInUse) while a deployment group names it. */
    delete: (name: string) => t.empty('DELETE', one(name)),
    /** What the balancer says now about its servers, each with the host it maps to; `reachable: false` and `error`
     *  when it cannot be read. */
    servers: (name: string, signal?: AbortSignal) =>
      t.json('GET', `${one(name)}/servers`, LoadBalancerStatus, { signal }),
  };
}
