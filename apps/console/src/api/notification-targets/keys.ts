// Query keys for notification targets: one factory, so invalidation by prefix always matches what the queries used.
export const notificationTargetKeys = {
  all: ['notification-targets'] as const,
  lists: () => [...notificationTargetKeys.all, 'list'] as const,
  detail: (name: string) => [...notificationTargetKeys.all, 'detail', name] as const,
  /** A target's delivery log (polled while on screen: deliveries change as the worker sends and retries). */
  deliveries: (name: string) => [...notificationTargetKeys.all, 'deliveries', name] as const,
};
