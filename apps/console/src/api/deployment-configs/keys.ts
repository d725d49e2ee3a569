export const configKeys = {
  all: ['deployment-configs'] as const,
  list: () => [...configKeys.all, 'list'] as const,
};
