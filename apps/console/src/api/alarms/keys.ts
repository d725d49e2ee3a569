// Query keys for alarms: one factory, so invalidation by prefix always matches what the queries used.
export const alarmKeys = {
  all: ['alarms'] as const,
  lists: () => [...alarmKeys.all, 'list'] as const,
  detail: (name: string) => [...alarmKeys.all, 'detail', name] as const,
};
