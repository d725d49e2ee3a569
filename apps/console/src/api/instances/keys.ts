export interface InstanceFilter {
  status?: 'online' | 'offline';
  tag?: string;
  namePrefix?: string;
}

export const instanceKeys = {
  all: ['instances'] as const,
  list: (filter: InstanceFilter) => [...instanceKeys.all, 'list', filter] as const,
  detail: (name: string) => [...instanceKeys.all, 'detail', name] as const,
};
