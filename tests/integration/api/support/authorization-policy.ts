// Who may call what, written once from docs/api.md ("Authentication", "Roles" and each resource's section), never
// from the routes' own declarations: the authorization matrix test holds every registered route to this table, so a
// route declared with the wrong role, or added without a row here, fails it.
//
// Columns are the callers the matrix sends. A cell is `ok` (let through: any answer but 401/403), or the refusal.
//   anon                  anonymous: no credential
//   view, depl, admn      an API token of the role viewer, deployer, admin
//   agnt                  an instance credential (dra_…), meant for /agent/v1 only
//   cook                  an admin's session cookie without the x-csrf-token header: reads pass, writes are 403
//
// A HEAD route answers as the GET of the same URL (Fastify adds one for every GET), unless it has a row of its own.
// The agent credential is refused on /v1 with 401 (it is no API token, so it authenticates nobody there), although
// docs/api.md says 403.

export const CALLERS = ['anonymous', 'viewer', 'deployer', 'admin', 'agent', 'cookie'] as const;
export type Caller = (typeof CALLERS)[number];

export const ok = 'ok';
export type Outcome = typeof ok | 401 | 403;
type Row = readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

// prettier-ignore
export const AUTHORIZATION_POLICY: Readonly<Record<string, Row>> = {
  //                                                                                  anon view depl admn agnt cook
  // Health, metrics, the OpenAPI document and Swagger UI, the console's files: public.
  'GET /healthz':                                                                    [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /readyz':                                                                     [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /metrics':                                                                    [ok,  ok,  ok,  ok,  ok,  ok ],
  // Host onboarding: the installer and the agent builds it downloads (a new host has no credential yet).
  'GET /install.sh':                                                                 [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /agent/download':                                                             [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /agent/download/:file':                                                       [ok,  ok,  ok,  ok,  ok,  ok ],
  'HEAD /docs':                                                                      [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/':                                                                      [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/json':                                                                  [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/yaml':                                                                  [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/static/index.html':                                                     [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/static/swagger-initializer.js':                                         [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /docs/static/*':                                                              [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /':                                                                           [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /*':                                                                          [ok,  ok,  ok,  ok,  ok,  ok ],
  // The matrix serves a stand-in console build with these two files.
  'GET /index.html':                                                                 [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /assets/console.js':                                                          [ok,  ok,  ok,  ok,  ok,  ok ],

  // Log in and out: public. Who am I and changing one's password: anyone signed in.
  'POST /v1/auth/login':                                                             [ok,  ok,  ok,  ok,  ok,  ok ],
  'POST /v1/auth/logout':                                                            [ok,  ok,  ok,  ok,  ok,  ok ],
  'GET /v1/auth/me':                                                                 [401, ok,  ok,  ok,  401, ok ],
  'POST /v1/auth/password':                                                          [401, ok,  ok,  ok,  401, 403],

  // Users: admin.
  'POST /v1/users':                                                                  [401, 403, 403, ok,  401, 403],
  'GET /v1/users':                                                                   [401, 403, 403, ok,  401, ok ],
  'GET /v1/users/:userId':                                                           [401, 403, 403, ok,  401, ok ],
  'PATCH /v1/users/:userId':                                                         [401, 403, 403, ok,  401, 403],

  // API tokens: anyone signed in manages their own.
  'POST /v1/tokens':                                                                 [401, ok,  ok,  ok,  401, 403],
  'GET /v1/tokens':                                                                  [401, ok,  ok,  ok,  401, ok ],
  'DELETE /v1/tokens/:tokenId':                                                      [401, ok,  ok,  ok,  401, 403],

  // Access keys (SigV4 credentials for the CodeDeploy-compatible endpoint): anyone signed in manages their own.
  'POST /v1/access-keys':                                                            [401, ok,  ok,  ok,  401, 403],
  'GET /v1/access-keys':                                                             [401, ok,  ok,  ok,  401, ok ],
  'DELETE /v1/access-keys/:accessKeyId':                                             [401, ok,  ok,  ok,  401, 403],

  // The CodeDeploy-compatible endpoint authenticates SigV4 signatures only: no Bearer token or cookie is a
  // credential there (MissingAuthenticationToken / IncompleteSignature, 403). Its operations × roles matrix is
  // tests/integration/aws/authorization.test.ts.
  'POST /aws/codedeploy':                                                            [403, 403, 403, 403, 403, 403],
  'POST /aws/codedeploy/':                                                           [403, 403, 403, 403, 403, 403],

  // Applications, deployment configs, deployment groups: viewers read, deployers change.
  'POST /v1/applications':                                                           [401, 403, ok,  ok,  401, 403],
  'GET /v1/applications':                                                            [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName':                                           [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/applications/:applicationName':                                         [401, 403, ok,  ok,  401, 403],
  'DELETE /v1/applications/:applicationName':                                        [401, 403, ok,  ok,  401, 403],
  'POST /v1/deployment-configs':                                                     [401, 403, ok,  ok,  401, 403],
  'GET /v1/deployment-configs':                                                      [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployment-configs/:deploymentConfigName':                                [401, ok,  ok,  ok,  401, ok ],
  'DELETE /v1/deployment-configs/:deploymentConfigName':                             [401, 403, ok,  ok,  401, 403],
  'POST /v1/applications/:applicationName/deployment-groups':                        [401, 403, ok,  ok,  401, 403],
  'GET /v1/applications/:applicationName/deployment-groups':                         [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName/deployment-groups/:deploymentGroupName':    [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/applications/:applicationName/deployment-groups/:deploymentGroupName':  [401, 403, ok,  ok,  401, 403],
  'DELETE /v1/applications/:applicationName/deployment-groups/:deploymentGroupName': [401, 403, ok,  ok,  401, 403],

  // Revisions: viewers read and download, deployers upload and register.
  'POST /v1/applications/:applicationName/revisions':                                [401, 403, ok,  ok,  401, 403],
  'POST /v1/applications/:applicationName/revisions/register':                       [401, 403, ok,  ok,  401, 403],
  'GET /v1/applications/:applicationName/revisions':                                 [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName/revisions/:revisionId':                     [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName/revisions/:revisionId/bundle':              [401, ok,  ok,  ok,  401, ok ],

  // Revision sources: deployers register from Git or S3 and manage push triggers, viewers follow jobs and read;
  // admins manage source secrets (everyone signed in sees their names and grants, never the secret). Git hosts'
  // webhook deliveries are public: the host's signature is the credential.
  'POST /v1/applications/:applicationName/revisions/git':                            [401, 403, ok,  ok,  401, 403],
  'POST /v1/applications/:applicationName/revisions/s3':                             [401, 403, ok,  ok,  401, 403],
  'GET /v1/applications/:applicationName/revision-jobs':                             [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName/revision-jobs/:jobId':                      [401, ok,  ok,  ok,  401, ok ],
  'POST /v1/applications/:applicationName/git-triggers':                             [401, 403, ok,  ok,  401, 403],
  'GET /v1/applications/:applicationName/git-triggers':                              [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/applications/:applicationName/git-triggers/:triggerName':                 [401, ok,  ok,  ok,  401, ok ],
  'DELETE /v1/applications/:applicationName/git-triggers/:triggerName':              [401, 403, ok,  ok,  401, 403],
  'POST /v1/source-secrets':                                                         [401, 403, 403, ok,  401, 403],
  'GET /v1/source-secrets':                                                          [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/source-secrets/:secretName':                                              [401, ok,  ok,  ok,  401, ok ],
  'PUT /v1/source-secrets/:secretName/grants':                                       [401, 403, 403, ok,  401, 403],
  'DELETE /v1/source-secrets/:secretName':                                           [401, 403, 403, ok,  401, 403],
  'POST /v1/git-webhooks/:triggerId':                                                [ok,  ok,  ok,  ok,  ok,  ok ],

  // Instances: viewers read, deployers tag and set traffic addresses, admins deregister.
  'GET /v1/instances':                                                               [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/instances/:instanceName':                                                 [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/instances/:instanceName':                                               [401, 403, ok,  ok,  401, 403],
  'PUT /v1/instances/:instanceName/tags':                                            [401, 403, ok,  ok,  401, 403],
  'DELETE /v1/instances/:instanceName/tags':                                         [401, 403, ok,  ok,  401, 403],
  'POST /v1/instances/:instanceName/deregister':                                     [401, 403, 403, ok,  401, 403],

  // Load balancers: infrastructure, managed by admins; everyone signed in reads them and their live servers.
  'POST /v1/load-balancers':                                                         [401, 403, 403, ok,  401, 403],
  'GET /v1/load-balancers':                                                          [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/load-balancers/:loadBalancerName':                                        [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/load-balancers/:loadBalancerName':                                      [401, 403, 403, ok,  401, 403],
  'DELETE /v1/load-balancers/:loadBalancerName':                                     [401, 403, 403, ok,  401, 403],
  'GET /v1/load-balancers/:loadBalancerName/servers':                                [401, ok,  ok,  ok,  401, ok ],

  // Alarms: admins define them (they point at monitoring systems, with credentials), everyone reads, deployers
  // evaluate one now. Alertmanager's receiver takes only a receiver token (drw_…): any other bearer is 403.
  'POST /v1/alarms':                                                                   [401, 403, 403, ok,  401, 403],
  'GET /v1/alarms':                                                                    [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/alarms/:alarmName':                                                         [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/alarms/:alarmName':                                                       [401, 403, 403, ok,  401, 403],
  'DELETE /v1/alarms/:alarmName':                                                      [401, 403, 403, ok,  401, 403],
  'POST /v1/alarms/:alarmName/evaluate':                                               [401, 403, ok,  ok,  401, 403],
  'POST /v1/alarms/alertmanager/webhook':                                              [401, 403, 403, 403, 403, 401],
  'POST /v1/alert-receiver-tokens':                                                    [401, 403, 403, ok,  401, 403],
  'GET /v1/alert-receiver-tokens':                                                     [401, 403, 403, ok,  401, ok ],
  'DELETE /v1/alert-receiver-tokens/:tokenId':                                         [401, 403, 403, ok,  401, 403],

  // Notification targets: a URL and a signing secret are credentials, managed by admins; everyone signed in reads
  // targets and their delivery log.
  'POST /v1/notification-targets':                                                   [401, 403, 403, ok,  401, 403],
  'GET /v1/notification-targets':                                                    [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/notification-targets/:notificationTargetName':                            [401, ok,  ok,  ok,  401, ok ],
  'PATCH /v1/notification-targets/:notificationTargetName':                          [401, 403, 403, ok,  401, 403],
  'DELETE /v1/notification-targets/:notificationTargetName':                         [401, 403, 403, ok,  401, 403],
  'GET /v1/notification-targets/:notificationTargetName/deliveries':                 [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/notification-targets/:notificationTargetName/deliveries/:deliveryId':     [401, ok,  ok,  ok,  401, ok ],
  'POST /v1/notification-targets/:notificationTargetName/test':                      [401, 403, 403, ok,  401, 403],
  'POST /v1/notification-targets/:notificationTargetName/deliveries/:deliveryId/redeliver':[401, 403, 403, ok,  401, 403],

  // Registration tokens and the audit log: admin.
  // Agent upgrades: admin starts one, anyone signed in follows it.
  'POST /v1/agent-upgrades':                                                         [401, 403, 403, ok,  401, 403],
  'GET /v1/agent-upgrades':                                                          [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/agent-upgrades/:upgradeId':                                               [401, ok,  ok,  ok,  401, ok ],
  'POST /v1/registration-tokens':                                                    [401, 403, 403, ok,  401, 403],
  'GET /v1/registration-tokens':                                                     [401, 403, 403, ok,  401, ok ],
  'DELETE /v1/registration-tokens/:tokenId':                                         [401, 403, 403, ok,  401, 403],
  'GET /v1/audit':                                                                   [401, 403, 403, ok,  401, ok ],

  // Deployments: viewers read and preview plans, deployers create, stop, roll back, continue and promote.
  'POST /v1/deployments':                                                            [401, 403, ok,  ok,  401, 403],
  'POST /v1/deployments/plan':                                                       [401, ok,  ok,  ok,  401, 403],
  'GET /v1/deployments':                                                             [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId':                                               [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId/targets':                                       [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId/targets/:targetId':                             [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId/targets/:targetId/events/:eventName/log':       [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId/events':                                        [401, ok,  ok,  ok,  401, ok ],
  'POST /v1/deployments/:deploymentId/stop':                                         [401, 403, ok,  ok,  401, 403],
  'POST /v1/deployments/:deploymentId/rollback':                                     [401, 403, ok,  ok,  401, 403],
  'POST /v1/deployments/:deploymentId/continue':                                     [401, 403, ok,  ok,  401, 403],
  'POST /v1/deployments/:deploymentId/promote':                                      [401, 403, ok,  ok,  401, 403],
  'GET /v1/deployments/:deploymentId/traffic-shifts':                                [401, ok,  ok,  ok,  401, ok ],
  'GET /v1/deployments/:deploymentId/alarm-checks':                                  [401, ok,  ok,  ok,  401, ok ],

  // The agent protocol: registration is public (the registration token is in the body), the rest takes the
  // instance credential and nothing else.
  'POST /agent/v1/register':                                                         [ok,  ok,  ok,  ok,  ok,  ok ],
  'POST /agent/v1/poll':                                                             [401, 401, 401, 401, ok,  401],
  'POST /agent/v1/upgrades/:upgradeId/failure':                                      [401, 401, 401, 401, ok,  401],
  'POST /agent/v1/heartbeat':                                                        [401, 401, 401, 401, ok,  401],
  'GET /agent/v1/deployments/:deploymentId/spec':                                    [401, 401, 401, 401, ok,  401],
  'GET /agent/v1/revisions/:revisionId/bundle':                                      [401, 401, 401, 401, ok,  401],
  'POST /agent/v1/commands/:commandId/ack':                                          [401, 401, 401, 401, ok,  401],
  'POST /agent/v1/commands/:commandId/logs':                                         [401, 401, 401, 401, ok,  401],
  'POST /agent/v1/commands/:commandId/complete':                                     [401, 401, 401, 401, ok,  401],
};

// Roles scoped to applications (docs/api.md, "Roles and scopes"). Three more callers:
//   own     a scopedOnly deployer token granted deployer on the application the matrix names (matrix-applicationName),
//           whose deployment d-AAAAAAAAA it is
//   other   a scopedOnly deployer token granted deployer on another application only
//   revoked a revoked admin token
// A scoped caller acts as a deployer on what its grant covers and has no role anywhere else. Where a route finds its
// application is written here from the docs; a route not listed needs a global role, so scoped callers get 403 on it.
//   application  the path names the application (and group)
//   body         the body names it (a body that names none, as the matrix sends, is refused to scoped callers)
//   deployment   the path names a deployment: its application and group
//   list         lists keep to what the caller may see; self: the caller's own account and tokens, shared settings
export const SCOPED_CALLERS = ['own', 'other', 'revoked'] as const;
export type ScopedCaller = (typeof SCOPED_CALLERS)[number];
type RouteScope = 'application' | 'body' | 'deployment' | 'list' | 'self';

const app = 'application';
const dep = 'deployment';
// prettier-ignore
export const ROUTE_SCOPES: Readonly<Record<string, RouteScope>> = {
  'GET /v1/auth/me': 'self',
  'POST /v1/auth/password': 'self',
  'POST /v1/tokens': 'self',
  'GET /v1/tokens': 'self',
  'DELETE /v1/tokens/:tokenId': 'self',
  // POST /v1/access-keys is left out: a key acts everywhere, so a caller limited to grants may not make one.
  'GET /v1/access-keys': 'self',
  'DELETE /v1/access-keys/:accessKeyId': 'self',
  'GET /v1/deployment-configs': 'self',
  'GET /v1/deployment-configs/:deploymentConfigName': 'self',
  'GET /v1/applications': 'list',
  'GET /v1/applications/:applicationName': app,
  'PATCH /v1/applications/:applicationName': app,
  'DELETE /v1/applications/:applicationName': app,
  'POST /v1/applications/:applicationName/deployment-groups': app,
  'GET /v1/applications/:applicationName/deployment-groups': app,
  'GET /v1/applications/:applicationName/deployment-groups/:deploymentGroupName': app,
  'PATCH /v1/applications/:applicationName/deployment-groups/:deploymentGroupName': app,
  'DELETE /v1/applications/:applicationName/deployment-groups/:deploymentGroupName': app,
  'POST /v1/applications/:applicationName/revisions': app,
  'POST /v1/applications/:applicationName/revisions/register': app,
  'GET /v1/applications/:applicationName/revisions': app,
  'GET /v1/applications/:applicationName/revisions/:revisionId': app,
  'GET /v1/applications/:applicationName/revisions/:revisionId/bundle': app,
  'POST /v1/applications/:applicationName/revisions/git': app,
  'POST /v1/applications/:applicationName/revisions/s3': app,
  'GET /v1/applications/:applicationName/revision-jobs': app,
  'GET /v1/applications/:applicationName/revision-jobs/:jobId': app,
  'POST /v1/applications/:applicationName/git-triggers': app,
  'GET /v1/applications/:applicationName/git-triggers': app,
  'GET /v1/applications/:applicationName/git-triggers/:triggerName': app,
  'DELETE /v1/applications/:applicationName/git-triggers/:triggerName': app,
  'POST /v1/deployments': 'body',
  'POST /v1/deployments/plan': 'body',
  'GET /v1/deployments': 'list',
  'GET /v1/deployments/:deploymentId': dep,
  'GET /v1/deployments/:deploymentId/targets': dep,
  'GET /v1/deployments/:deploymentId/targets/:targetId': dep,
  'GET /v1/deployments/:deploymentId/targets/:targetId/events/:eventName/log': dep,
  'GET /v1/deployments/:deploymentId/events': dep,
  'POST /v1/deployments/:deploymentId/stop': dep,
  'POST /v1/deployments/:deploymentId/rollback': dep,
  'POST /v1/deployments/:deploymentId/continue': dep,
  'POST /v1/deployments/:deploymentId/promote': dep,
  'GET /v1/deployments/:deploymentId/traffic-shifts': dep,
  'GET /v1/deployments/:deploymentId/alarm-checks': dep,
};

/** What a scoped or revoked caller gets on a route, from its row (the deployer's and anonymous' cells) and scope. */
export function expectedScopedOutcome(method: string, url: string, row: Row, caller: ScopedCaller): Outcome {
  const anonymous = expectedOutcome(row, 'anonymous');
  const deployer = expectedOutcome(row, 'deployer');
  const admin = expectedOutcome(row, 'admin');
  if (anonymous === ok) return ok; // public
  // A revoked token authenticates nobody; a route that refuses even a live admin token refuses it the same way.
  if (caller === 'revoked') return admin === ok ? 401 : admin;
  if (admin === 401) return 401; // the agent protocol: no API token is anyone there
  const scope = ROUTE_SCOPES[`${method} ${url}`] ?? (method === 'HEAD' ? ROUTE_SCOPES[`GET ${url}`] : undefined);
  if (scope === 'self' || scope === 'list') return deployer;
  if (caller === 'own' && (scope === 'application' || scope === 'deployment')) return deployer;
  return 403;
}

/** The policy's row for a route: its own, or for HEAD the GET of the same URL. */
export function policyRow(method: string, url: string): Row | undefined {
  return (
    AUTHORIZATION_POLICY[`${method} ${url}`] ?? (method === 'HEAD' ? AUTHORIZATION_POLICY[`GET ${url}`] : undefined)
  );
}

export function expectedOutcome(row: Row, caller: Caller): Outcome {
  return row[CALLERS.indexOf(caller)] as Outcome;
}
