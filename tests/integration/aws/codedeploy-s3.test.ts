// CodeDeploy S3 revisions from a bucket of a real S3-compatible server (s3rver from npm, on loopback, started here):
// the AWS SDK registers an object, reads it back, deploys it to hosts with agents speaking the real protocol and waits
// with its waiter; CreateDeployment of an object never registered registers it (as CodeDeploy does); a missing object
// and a changed ETag are InvalidRevisionException. Drover fetches through revision sources with an S3 source secret
// granted to the application.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  InvalidRevisionException,
  ListApplicationRevisionsCommand,
  RegisterApplicationRevisionCommand,
  RevisionDoesNotExistException,
  waitUntilDeploymentSuccessful,
} from '@aws-sdk/client-codedeploy';
import { createS3Storage } from '@drover/api';
import { S3_TEST_CREDENTIALS, startS3Server, type TestS3Server } from '@drover/testing/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';
import { GOOD_APPSPEC, tgz } from '../api/support/bundles';
import { AWS_TEST_ENV, accessKeyFor, openRegistrationToken, sdkClient, type TestKey } from './support';

let stack: TestStack;
let s3: TestS3Server;
let deployer: TestKey;
const agents: ProtocolAgent[] = [];
const v1 = tgz({ 'appspec.yml': GOOD_APPSPEC, VERSION: 'v1' });
const v2 = tgz({ 'appspec.yml': GOOD_APPSPEC, VERSION: 'v2' });
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  stack = await startStack(AWS_TEST_ENV);
  s3 = await startS3Server(['releases']);
  const bucket = createS3Storage({
    bucket: 'releases',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    ...S3_TEST_CREDENTIALS,
  });
  await bucket.put('web/v1.tgz', Readable.from([v1]), v1.length);
  await bucket.put('web/v2.tgz', Readable.from([v2]), v2.length);
  deployer = await accessKeyFor(stack, 'deployer');
  // The application exists before an admin grants it the bucket's source secret.
  await sdkClient(stack.url, deployer).send(new CreateApplicationCommand({ applicationName: 's3-shop' }));
  const secret = await stack.app.inject({
    method: 'POST',
    url: '/v1/source-secrets',
    headers: stack.as('admin'),
    payload: { name: 'releases', kind: 'S3', endpoint: s3.endpoint, ...S3_TEST_CREDENTIALS, applications: ['s3-shop'] },
  });
  expect(secret.statusCode, secret.body).toBe(201);
  const registrationToken = await openRegistrationToken(stack);
  for (const name of ['s3-web-1', 's3-web-2']) {
    agents.push(
      await startProtocolAgent({ url: stack.url, registrationToken, name, tags: [{ key: 'env', value: 's3-prod' }] }),
    );
  }
}, 60_000);

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
  await s3?.close();
}, 60_000);

describe('S3 revisions through the CodeDeploy API', () => {
  it('registers an object of the bucket, reads it back and deploys it', async () => {
    const cd = sdkClient(stack.url, deployer);
    await cd.send(
      new CreateDeploymentGroupCommand({
        applicationName: 's3-shop',
        deploymentGroupName: 'prod',
        serviceRoleArn: 'arn:aws:iam::111122223333:role/any',
        onPremisesInstanceTagFilters: [{ Key: 'env', Value: 's3-prod', Type: 'KEY_AND_VALUE' }],
      }),
    );
    const location = {
      revisionType: 'S3' as const,
      s3Location: { bucket: 'releases', key: 'web/v1.tgz', bundleType: 'tgz' as const },
    };
    await cd.send(
      new RegisterApplicationRevisionCommand({ applicationName: 's3-shop', revision: location, description: 'v1' }),
    );
    const got = await cd.send(new GetApplicationRevisionCommand({ applicationName: 's3-shop', revision: location }));
    expect(got.revision).toEqual({
      revisionType: 'S3',
      s3Location: { bucket: 'releases', key: 'web/v1.tgz', bundleType: 'tgz', eTag: md5(v1) },
    });
    expect(got.revisionInfo?.description).toBe('v1');

    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({ applicationName: 's3-shop', deploymentGroupName: 'prod', revision: location }),
    );
    await waitUntilDeploymentSuccessful(
      { client: cd, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { deploymentId: deploymentId! },
    );
    const d = await cd.send(new GetDeploymentCommand({ deploymentId: deploymentId! }));
    expect(d.deploymentInfo?.status).toBe('Succeeded');
    expect(d.deploymentInfo?.revision?.s3Location).toMatchObject({
      bucket: 'releases',
      key: 'web/v1.tgz',
      eTag: md5(v1),
    });
    // The bytes agents get are the object's.
    const stored = await stack.ctx.db.prisma.revision.findFirstOrThrow({ where: { application: { name: 's3-shop' } } });
    expect(stored.sha256).toBe(createHash('sha256').update(v1).digest('hex'));
  }, 180_000);

  it('registers an object when it is first deployed, and refuses missing or changed objects', async () => {
    const cd = sdkClient(stack.url, deployer);
    const v2loc = {
      revisionType: 'S3' as const,
      s3Location: { bucket: 'releases', key: 'web/v2.tgz', bundleType: 'tgz' as const },
    };
    const unknown = await cd
      .send(new GetApplicationRevisionCommand({ applicationName: 's3-shop', revision: v2loc }))
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RevisionDoesNotExistException);
    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({ applicationName: 's3-shop', deploymentGroupName: 'prod', revision: v2loc }),
    );
    await waitUntilDeploymentSuccessful(
      { client: cd, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { deploymentId: deploymentId! },
    );
    const listed = await cd.send(new ListApplicationRevisionsCommand({ applicationName: 's3-shop' }));
    expect(listed.revisions?.map((r) => r.s3Location?.key).sort()).toEqual(['web/v1.tgz', 'web/v2.tgz']);

    const missing = await cd
      .send(
        new RegisterApplicationRevisionCommand({
          applicationName: 's3-shop',
          revision: { revisionType: 'S3', s3Location: { bucket: 'releases', key: 'web/none.tgz', bundleType: 'tgz' } },
        }),
      )
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidRevisionException);
    expect((missing as Error).message).toMatch(/s3:\/\/releases\/web\/none\.tgz could not be registered: .+/);

    const changed = await cd
      .send(
        new RegisterApplicationRevisionCommand({
          applicationName: 's3-shop',
          revision: {
            revisionType: 'S3',
            s3Location: { bucket: 'releases', key: 'web/v2.tgz', bundleType: 'tgz', eTag: md5(v1) },
          },
        }),
      )
      .catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(InvalidRevisionException);
  }, 180_000);
});
