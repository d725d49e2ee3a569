export interface AuditFilter {
  resourceType?: string;
  actor?: string;
  action?: string;
}

export const auditKeys = {
  all: ['audit'] as const,
  list: (filter: AuditFilter) => [...auditKeys.all, 'list', filter] as const,
};
