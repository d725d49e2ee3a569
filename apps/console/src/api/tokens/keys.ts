export const apiTokenKeys = {
  all: ['api-tokens'] as const,
  list: (includeRevoked: boolean) => [...apiTokenKeys.all, 'list', includeRevoked] as const,
};
