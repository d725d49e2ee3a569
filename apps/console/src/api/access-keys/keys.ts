export const accessKeyKeys = {
  all: ['access-keys'] as const,
  list: (includeRevoked: boolean) => [...accessKeyKeys.all, 'list', includeRevoked] as const,
};
