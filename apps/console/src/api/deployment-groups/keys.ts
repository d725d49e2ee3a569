export const groupKeys = {
  all: ['deployment-groups'] as const,
  list: (app: string) => [...groupKeys.all, 'list', app] as const,
  detail: (app: string, group: string) => [...groupKeys.all, 'detail', app, group] as const,
};
