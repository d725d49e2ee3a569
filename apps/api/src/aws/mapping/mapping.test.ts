// The pure mappings between Drover's shapes and CodeDeploy's: revision locations, group input, field errors,
// timestamps, output shapes.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AwsError } from '../aws-error';
import { fieldError } from './field-errors';
import { toDroverGroupSettings } from './group-input';
import { awsConfigName, toAwsApplication, toAwsDeploymentConfig } from './resources';
import { gitHubRepositoryOf, revisionRefOf, toAwsRevisionLocation } from './revision-location';
import { compact, epoch, isoOfEpoch } from './time';

const ID = '3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b';
const thrown = (fn: () => unknown): AwsError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('revision locations', () => {
  it('shows stored bundles by their key and other revisions by revision/<id>, with sha256 as eTag', () => {
    expect(
      toAwsRevisionLocation(
        { revisionId: ID, bundleType: 'tgz', sha256: 'ab', storageKey: 'revisions/a/b.tar.gz' },
        'drover',
      ),
    ).toEqual({
      revisionType: 'S3',
      s3Location: { bucket: 'drover', key: 'revisions/a/b.tar.gz', bundleType: 'tgz', eTag: 'ab' },
    });
    expect(toAwsRevisionLocation({ revisionId: ID, bundleType: 'zip', sha256: 'cd' }, 'bundles').s3Location?.key).toBe(
      `revision/${ID}`,
    );
  });

  it('reads S3 locations in the bundle bucket, by id or by object key', () => {
    const s3 = (s3Location: Record<string, string>) => ({ revisionType: 'S3', s3Location });
    expect(revisionRefOf(s3({ bucket: 'drover', key: `revision/${ID}` }), 'drover')).toEqual({
      kind: 'id',
      revisionId: ID,
      bundleType: undefined,
      eTag: undefined,
    });
    expect(revisionRefOf(s3({ bucket: 'drover', key: 'app/v1.zip', bundleType: 'zip', eTag: 'e' }), 'drover')).toEqual({
      kind: 'object',
      key: 'app/v1.zip',
      bundleType: 'zip',
      eTag: 'e',
    });
    // Another bucket and GitHub commits go to revision sources.
    expect(
      revisionRefOf(s3({ bucket: 'releases', key: 'web/v1.tgz', version: 'v9', bundleType: 'tgz' }), 'drover'),
    ).toEqual({
      kind: 'external',
      bucket: 'releases',
      key: 'web/v1.tgz',
      version: 'v9',
      bundleType: 'tgz',
      eTag: undefined,
    });
    expect(
      revisionRefOf(
        { revisionType: 'GitHub', gitHubLocation: { repository: 'acme/web', commitId: 'a'.repeat(40) } },
        'drover',
      ),
    ).toEqual({
      kind: 'github',
      repository: 'acme/web',
      commitId: 'a'.repeat(40),
    });
    // revisionType may be left out when the s3Location is there.
    expect(revisionRefOf({ s3Location: { bucket: 'drover', key: 'k' } }, 'drover').kind).toBe('object');
  });

  it('refuses GitHub, Lambda/ECS kinds, other buckets, YAML bundles and path tricks in CodeDeploy words', () => {
    const cases: [unknown, string, RegExp][] = [
      [undefined, 'RevisionRequiredException', /required/],
      [
        { revisionType: 'GitHub', gitHubLocation: { repository: 'a/b', commitId: 'c' } },
        'InvalidRevisionException',
        /full 40-character commit SHA/,
      ],
      [
        { gitHubLocation: { repository: 'https://x/a', commitId: 'a'.repeat(40) } },
        'InvalidRevisionException',
        /account\/repository/,
      ],
      [{ revisionType: 'AppSpecContent' }, 'InvalidRevisionException', /Lambda and ECS/],
      [
        { revisionType: 'S3', s3Location: { bucket: 'drover', key: 'k', bundleType: 'YAML' } },
        'InvalidRevisionException',
        /tar, tgz and zip/,
      ],
      [
        { revisionType: 'S3', s3Location: { bucket: 'drover', key: '../etc/passwd' } },
        'InvalidRevisionException',
        /without leading \/ or \.\./,
      ],
      [
        { revisionType: 'S3', s3Location: { bucket: 'drover', key: 'revision/nope' } },
        'InvalidRevisionException',
        /a UUID/,
      ],
      [{ revisionType: 'S3', s3Location: { bucket: 'drover' } }, 'InvalidRevisionException', /key is required/],
    ];
    for (const [loc, type, message] of cases) {
      const e = thrown(() => revisionRefOf(loc as never, 'drover'));
      expect(e.type, JSON.stringify(loc)).toBe(type);
      expect(e.message).toMatch(message);
      expect(e.status).toBe(400);
    }
  });
});

describe('revision origins', () => {
  it('shows S3-fetched revisions at their object and GitHub-built ones as gitHubLocation', () => {
    const base = { revisionId: ID, bundleType: 'zip' as const, sha256: 'ab' };
    expect(
      toAwsRevisionLocation(
        { ...base, origin: { type: 'S3', bucket: 'releases', key: 'k.zip', eTag: 'e1', versionId: 'v2' } },
        'drover',
      ),
    ).toEqual({
      revisionType: 'S3',
      s3Location: { bucket: 'releases', key: 'k.zip', bundleType: 'zip', eTag: 'e1', version: 'v2' },
    });
    expect(
      toAwsRevisionLocation(
        { ...base, origin: { type: 'Git', repositoryUrl: 'https://github.com/acme/web.git', commit: 'c'.repeat(40) } },
        'drover',
      ),
    ).toEqual({ revisionType: 'GitHub', gitHubLocation: { repository: 'acme/web', commitId: 'c'.repeat(40) } });
    // Another Git host: the revision is named in the bundle bucket.
    expect(
      toAwsRevisionLocation(
        { ...base, origin: { type: 'Git', repositoryUrl: 'https://git.example/acme/web.git', commit: 'c'.repeat(40) } },
        'drover',
      ).s3Location?.key,
    ).toBe(`revision/${ID}`);
    expect(gitHubRepositoryOf('git@github.com:acme/web.git')).toBe('acme/web');
    expect(gitHubRepositoryOf('https://gitlab.com/acme/web')).toBeNull();
  });
});

describe('deployment group input', () => {
  it('merges EC2 and on-premises tag filters into Drover filters, and reads tag sets', () => {
    expect(
      toDroverGroupSettings({
        deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
        ec2TagFilters: [{ Key: 'env', Value: 'prod', Type: 'KEY_AND_VALUE' }],
        onPremisesInstanceTagFilters: [{ Key: 'role', Type: 'KEY_ONLY' }],
        serviceRoleArn: 'arn:aws:iam::1:role/x',
      }),
    ).toEqual({
      deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
      tagFilters: [
        { key: 'env', value: 'prod', type: 'KEY_AND_VALUE' },
        { key: 'role', value: '', type: 'KEY_ONLY' },
      ],
    });
    expect(
      toDroverGroupSettings({
        onPremisesTagSet: { onPremisesTagSetList: [[{ Key: 'a', Value: '1', Type: 'KEY_AND_VALUE' }]] },
      }),
    ).toEqual({
      tagSet: [[{ key: 'a', value: '1', type: 'KEY_AND_VALUE' }]],
    });
    // An empty set given on update clears it; nothing given changes nothing.
    expect(toDroverGroupSettings({ ec2TagSet: { ec2TagSetList: [] } })).toEqual({ tagSet: null });
    expect(toDroverGroupSettings({})).toEqual({});
  });

  it('refuses what Drover has no counterpart for, and filters with sets', () => {
    expect(thrown(() => toDroverGroupSettings({ autoScalingGroups: ['asg'] })).type).toBe(
      'InvalidAutoScalingGroupException',
    );
    expect(thrown(() => toDroverGroupSettings({ ecsServices: [{}] })).type).toBe('InvalidECSServiceException');
    expect(
      thrown(() =>
        toDroverGroupSettings({
          ec2TagFilters: [{ Key: 'a', Type: 'KEY_ONLY' }],
          ec2TagSet: { ec2TagSetList: [[{ Key: 'b', Type: 'KEY_ONLY' }]] },
        }),
      ).type,
    ).toBe('InvalidEC2TagCombinationException');
    expect(
      thrown(() =>
        toDroverGroupSettings({
          onPremisesInstanceTagFilters: [{ Key: 'a', Type: 'KEY_ONLY' }],
          onPremisesTagSet: { onPremisesTagSetList: [[{ Key: 'b', Type: 'KEY_ONLY' }]] },
        }),
      ).type,
    ).toBe('InvalidOnPremisesTagCombinationException');
  });
});

describe('field errors', () => {
  const schema = z.object({
    applicationName: z.string().min(1),
    deploymentId: z.string().regex(/^d-/),
    other: z.number().optional(),
  });
  const err = (v: unknown) => {
    const r = schema.safeParse(v);
    if (r.success) throw new Error('valid');
    return fieldError(r.error.issues);
  };
  it('names the CodeDeploy exception for a missing or invalid field', () => {
    expect(err({ deploymentId: 'd-1' })).toMatchObject({
      type: 'ApplicationNameRequiredException',
      message: 'applicationName: is required',
    });
    expect(err({ applicationName: 5, deploymentId: 'd-1' }).type).toBe('InvalidApplicationNameException');
    expect(err({ applicationName: 'a', deploymentId: 'x' }).type).toBe('InvalidDeploymentIdException');
    expect(err({ applicationName: 'a', deploymentId: 'd-1', other: 'x' }).type).toBe('InvalidInputException');
  });
});

describe('output shapes', () => {
  it('writes timestamps as epoch seconds and back', () => {
    expect(epoch('2026-12-03T08:00:00.250Z')).toBe(1796284800.25);
    expect(epoch(null)).toBeUndefined();
    expect(isoOfEpoch(1796284800.25)).toBe('2026-12-03T08:00:00.250Z');
    expect(compact({ a: 1, b: undefined })).toEqual({ a: 1 });
  });

  it('spells predefined configs CodeDeployDefault.<Name>', () => {
    expect(awsConfigName('OneAtATime', true)).toBe('CodeDeployDefault.OneAtATime');
    expect(awsConfigName('CodeDeployDefault.OneAtATime', true)).toBe('CodeDeployDefault.OneAtATime');
    expect(awsConfigName('mine', false)).toBe('mine');
    expect(
      toAwsDeploymentConfig({
        deploymentConfigId: ID,
        deploymentConfigName: 'HalfAtATime',
        minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 },
        computePlatform: 'Server',
        trafficRoutingConfig: null,
        zonalConfig: null,
        predefined: true,
        createTime: '2026-12-03T08:00:00.000Z',
      }),
    ).toEqual({
      deploymentConfigId: ID,
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 },
      createTime: 1796284800,
      computePlatform: 'Server',
    });
    expect(
      toAwsApplication({
        applicationId: ID,
        applicationName: 'shop',
        computePlatform: 'Server',
        createTime: '2026-12-03T08:00:00.000Z',
        updateTime: '2026-12-03T09:00:00.000Z',
      }),
    ).toEqual({
      applicationId: ID,
      applicationName: 'shop',
      createTime: 1796284800,
      linkedToGitHub: false,
      computePlatform: 'Server',
    });
  });
});
