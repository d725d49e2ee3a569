// Every console page URL that other pages link to, in one place (the API's paths are in api/paths.ts).
const e = encodeURIComponent;

export const pagePaths = {
  applications: () => '/applications',
  application: (app: string) => `/applications/${e(app)}`,
  group: (app: string, group: string) => `/applications/${e(app)}/groups/${e(group)}`,
  /** The create-deployment page, optionally with the group already chosen. */
  deploy: (app: string, group?: string) => `/applications/${e(app)}/deploy${group ? `?group=${e(group)}` : ''}`,
  deployment: (id: string) => `/deployments/${e(id)}`,
  deployments: (app?: string) => (app ? `/deployments?application=${e(app)}` : '/deployments'),
  loadBalancers: () => '/load-balancers',
  loadBalancer: (name: string) => `/load-balancers/${e(name)}`,
};
