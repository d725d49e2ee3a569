export const applicationKeys = {
  all: ['applications'] as const,
  list: () => [...applicationKeys.all, 'list'] as const,
  detail: (name: string) => [...applicationKeys.all, 'detail', name] as const,
};
