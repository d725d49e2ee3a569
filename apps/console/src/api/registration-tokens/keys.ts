export const registrationTokenKeys = {
  all: ['registration-tokens'] as const,
  list: () => [...registrationTokenKeys.all, 'list'] as const,
};
