// Every CodeDeploy operation × every role of access key, held to the policy written here from
// docs/aws-compatibility.md ("Who may call what"): reads need viewer, changes deployer, deregistering a host admin,
// as on the REST API. A key below the operation's role gets AccessDeniedException and changes nothing; a key at or
// above it gets past authorization (any answer but AccessDeniedException, never a 5xx). Also every operation with
// malformed bodies: always a 4xx in AWS's error shape naming the problem, never a 5xx.
import * as sdk from '@aws-sdk/client-codedeploy';
import type { Role } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { AWS_TEST_ENV, accessKeyFor, sdkClient, type TestKey } from './support';

// prettier-ignore
const POLICY: Record<string, Role> = {
  AddTagsToOnPremisesInstances: 'deployer', BatchGetApplicationRevisions: 'viewer', BatchGetApplications: 'viewer',
  BatchGetDeploymentGroups: 'viewer', BatchGetDeploymentInstances: 'viewer', BatchGetDeploymentTargets: 'viewer',
  BatchGetDeployments: 'viewer', BatchGetOnPremisesInstances: 'viewer', ContinueDeployment: 'deployer',
  CreateApplication: 'deployer', CreateDeployment: 'deployer', CreateDeploymentConfig: 'deployer',
  CreateDeploymentGroup: 'deployer', DeleteApplication: 'deployer', DeleteDeploymentConfig: 'deployer',
  DeleteDeploymentGroup: 'deployer', DeleteGitHubAccountToken: 'viewer', DeleteResourcesByExternalId: 'viewer',
  DeregisterOnPremisesInstance: 'admin', GetApplication: 'viewer', GetApplicationRevision: 'viewer',
  GetDeployment: 'viewer', GetDeploymentConfig: 'viewer', GetDeploymentGroup: 'viewer',
  GetDeploymentInstance: 'viewer', GetDeploymentTarget: 'viewer', GetOnPremisesInstance: 'viewer',
  ListApplicationRevisions: 'viewer', ListApplications: 'viewer', ListDeploymentConfigs: 'viewer',
  ListDeploymentGroups: 'viewer', ListDeploymentInstances: 'viewer', ListDeploymentTargets: 'viewer',
  ListDeployments: 'viewer', ListGitHubAccountTokenNames: 'viewer', ListOnPremisesInstances: 'viewer',
  ListTagsForResource: 'viewer', PutLifecycleEventHookExecutionStatus: 'viewer',
  RegisterApplicationRevision: 'deployer', RegisterOnPremisesInstance: 'admin',
  RemoveTagsFromOnPremisesInstances: 'deployer', SkipWaitTimeForInstanceTermination: 'deployer',
  StopDeployment: 'deployer', TagResource: 'deployer', UntagResource: 'deployer', UpdateApplication: 'deployer',
  UpdateDeploymentGroup: 'deployer',
};
const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

let api: TestApi;
const keys = {} as Record<Role, TestKey>;
let url: string;

beforeAll(async () => {
  api = await startTestApi(AWS_TEST_ENV);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  for (const role of ['viewer', 'deployer', 'admin'] as const) keys[role] = await accessKeyFor(api, role);
});
afterAll(async () => {
  api.app.server.closeAllConnections();
  await api.close();
});

type AnyCommand = new (input: object) => sdk.CodeDeployClient extends { send(c: infer C): unknown } ? C : never;
const commandOf = (name: string): AnyCommand => {
  const c = (sdk as unknown as Record<string, AnyCommand | undefined>)[`${name}Command`];
  if (!c) throw new Error(`the SDK has no ${name}Command`);
  return c;
};

/** A client whose request body is replaced by `raw` before it is signed (a malformed body, signed correctly). */
function rawClient(key: TestKey, raw: string) {
  const c = sdkClient(url, key, { maxAttempts: 1 });
  c.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { body?: unknown; headers: Record<string, string> };
      req.body = raw;
      req.headers['content-length'] = String(Buffer.byteLength(raw));
      return next(args);
    },
    { step: 'build', name: 'rawBody' },
  );
  return c;
}

describe('CodeDeploy operations × access key roles', () => {
  it('covers every operation the SDK knows, and the SDK knows every row', () => {
    const sdkOps = Object.keys(sdk)
      .filter((k) => /^[A-Z]\w+Command$/.test(k))
      .map((k) => k.slice(0, -'Command'.length))
      .sort();
    expect(sdkOps).toEqual(Object.keys(POLICY).sort());
  });

  it('answers every key as the policy says', async () => {
    const mismatches: string[] = [];
    const appsBefore = await api.ctx.db.prisma.application.count();
    for (const [name, need] of Object.entries(POLICY)) {
      for (const role of ['viewer', 'deployer', 'admin'] as const) {
        const client = sdkClient(url, keys[role], { maxAttempts: 1 });
        const Command = commandOf(name);
        const err = (await client.send(new Command({})).then(
          () => null,
          (e: unknown) => e,
        )) as sdk.CodeDeployServiceException | null;
        const denied = err?.name === 'AccessDeniedException';
        const where = `${name} as ${role}`;
        if (err && (err.$metadata?.httpStatusCode ?? 0) >= 500) mismatches.push(`${where}: ${err.name} ${err.message}`);
        if (RANK[role] < RANK[need] && !denied)
          mismatches.push(`${where}: expected AccessDenied, got ${err?.name ?? 'success'}`);
        if (RANK[role] >= RANK[need] && denied) mismatches.push(`${where}: denied (${err?.message})`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(await api.ctx.db.prisma.application.count()).toBe(appsBefore);
  }, 120_000);
});

describe('malformed input on every operation', () => {
  const BODIES = [
    '[]',
    'null',
    '"s"',
    '{',
    '123',
    '{"applicationName":12345}',
    '{"deploymentId":"x"}',
    '{"nextToken":"%%%"}',
    `{"applicationName":"${'x'.repeat(5000)}"}`,
    '{"revision":{"revisionType":"S3"}}',
    '{"tags":[{"Value":"v"}]}',
    '{"applicationName":"a\\u0000b"}',
    '{"__proto__":{"x":1}}',
  ];

  it('is a 4xx in AWS shape (a known __type and a message), never a 5xx', async () => {
    const problems: string[] = [];
    let count = 0;
    for (const name of Object.keys(POLICY)) {
      for (const raw of BODIES) {
        count++;
        const err = (await rawClient(keys.admin, raw)
          .send(new (commandOf(name))({}))
          .then(
            () => null,
            (e: unknown) => e,
          )) as sdk.CodeDeployServiceException | null;
        const status = err?.$metadata?.httpStatusCode;
        const where = `${name} ${raw.slice(0, 60)}`;
        // A few bodies are valid input for some operations (nextToken on a list): success is fine there.
        if (!err) continue;
        if (!status || status >= 500) problems.push(`${where}: ${status} ${err.name} ${err.message}`);
        else if (!/^[A-Z][A-Za-z]+(Exception|Failure)$/.test(err.name) || !err.message) {
          problems.push(`${where}: ${status} without an AWS error shape: ${err.name} ${err.message}`);
        }
      }
    }
    expect(count).toBe(Object.keys(POLICY).length * BODIES.length);
    expect(problems).toEqual([]);
  }, 180_000);
});
