export const revisionKeys = {
  all: ['revisions'] as const,
  list: (app: string) => [...revisionKeys.all, 'list', app] as const,
  detail: (app: string, revisionId: string) => [...revisionKeys.all, 'detail', app, revisionId] as const,
};
