export const revisionKeys = {
  all: ['revisions'] as const,
  list: (app: string) => [...revisionKeys.all, 'list', app] as const,
};
