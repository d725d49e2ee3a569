// Query keys for load balancers: one factory, so invalidation by prefix always matches what the queries used.
export const loadBalancerKeys = {
  all: ['load-balancers'] as const,
  lists: () => [...loadBalancerKeys.all, 'list'] as const,
  detail: (name: string) => [...loadBalancerKeys.all, 'detail', name] as const,
  /** The balancer's live view of its servers (polled while someone watches). */
  servers: (name: string) => [...loadBalancerKeys.all, 'servers', name] as const,
};
