// Every REST path the console calls, in one place (the contracts define bodies, not URLs).
const e = encodeURIComponent;

export const paths = {
  applications: () => '/v1/applications',
  application: (app: string) => `/v1/applications/${e(app)}`,
  groups: (app: string) => `/v1/applications/${e(app)}/deployment-groups`,
  group: (app: string, group: string) => `/v1/applications/${e(app)}/deployment-groups/${e(group)}`,
  revisions: (app: string) => `/v1/applications/${e(app)}/revisions`,
  revision: (app: string, revisionId: string) => `/v1/applications/${e(app)}/revisions/${e(revisionId)}`,
  deploymentConfigs: () => '/v1/deployment-configs',
  instances: () => '/v1/instances',
  instance: (name: string) => `/v1/instances/${e(name)}`,
  apiTokens: () => '/v1/tokens',
  apiToken: (id: string) => `/v1/tokens/${e(id)}`,
  registrationTokens: () => '/v1/registration-tokens',
  registrationToken: (id: string) => `/v1/registration-tokens/${e(id)}`,
  users: () => '/v1/users',
  user: (id: string) => `/v1/users/${e(id)}`,
  audit: () => '/v1/audit',
};
