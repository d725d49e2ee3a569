// Revision sources: revisions Drover builds from a Git commit or fetches from an S3-compatible bucket (as
// CodeDeploy's gitHubLocation and s3Location), the named secrets it fetches them with, the registration jobs that
// report progress, and the Git hosts' push webhooks. See docs/revision-sources.md.
import { z } from 'zod';
import { NullableTimestamp, ResourceName, Timestamp } from './common';
import { BundleType } from './vocabulary';

const CommitSha = z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-character lowercase hex commit SHA');

/** https://, http:// (loopback and private hosts), ssh:// or scp-like git@host:owner/repo.git. No credentials inside:
 *  they belong in a source secret. */
export const RepositoryUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine(
    (u) => /^(https?|ssh):\/\/[^\s]+$/i.test(u) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(u),
    'an https://, http://, ssh:// or user@host:path repository URL',
  )
  .refine((u) => !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(u), 'put credentials in a source secret, not in the URL')
  .refine((u) => !u.startsWith('-'), 'must not start with -');

/** A subdirectory of the repository to deploy (its appspec.yml at its root): relative, no `..`. */
export const RepositoryPath = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\0\\]+$/, 'a relative path with / separators')
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.startsWith('-'), {
    message: 'a relative path inside the repository, without ..',
  });

/** A branch or tag name (refs/heads/x and refs/tags/x also accepted). */
export const GitRefName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/+-]+$/, 'a branch or tag name');

export const GitRevisionSource = z.object({
  type: z.literal('Git'),
  repositoryUrl: z.string(),
  /** The full SHA the revision was built from: never moves. */
  commit: z.string(),
  /** The branch or tag it was resolved from, when one was given. */
  ref: z.string().nullable(),
  path: z.string().nullable(),
  secretName: z.string().nullable(),
  /** A browser link to the commit, when the URL is a known host's (GitHub, GitLab, Gitea, Bitbucket). */
  commitUrl: z.string().nullable(),
});
export const S3RevisionSource = z.object({
  type: z.literal('S3'),
  bucket: z.string(),
  key: z.string(),
  versionId: z.string().nullable(),
  /** The object's ETag when it was fetched (without quotes). */
  eTag: z.string(),
  /** The endpoint it was fetched from (null: AWS S3's default for the region). */
  endpoint: z.string().nullable(),
  secretName: z.string().nullable(),
});
export const RevisionSource = z.discriminatedUnion('type', [GitRevisionSource, S3RevisionSource]);
export type RevisionSource = z.infer<typeof RevisionSource>;

export const RegisterGitRevisionRequest = z
  .object({
    repositoryUrl: RepositoryUrl,
    /** A full commit SHA. Give this or ref. */
    commit: CommitSha.optional(),
    /** A branch or tag, resolved to its commit now and recorded. Give this or commit. */
    ref: GitRefName.optional(),
    path: RepositoryPath.optional(),
    /** A source secret of kind GitToken or GitSshKey granted to this application. */
    secretName: ResourceName.optional(),
    description: z.string().max(256).optional(),
  })
  .refine((b) => (b.commit === undefined) !== (b.ref === undefined), {
    message: 'give exactly one of commit (a full SHA) and ref (a branch or tag)',
    path: ['commit'],
  });
export type RegisterGitRevisionRequest = z.infer<typeof RegisterGitRevisionRequest>;

const Bucket = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'an S3 bucket name');
const ObjectKey = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\0]+$/, 'an object key');

export const RegisterS3RevisionRequest = z.object({
  bucket: Bucket,
  key: ObjectKey,
  /** The object version to fetch (buckets with versioning). */
  versionId: z.string().min(1).max(1024).optional(),
  /** The ETag the object must still have (quotes optional): a changed object is refused. */
  eTag: z
    .string()
    .min(1)
    .max(200)
    .regex(/^"?[A-Za-z0-9-]+"?$/, 'an ETag')
    .optional(),
  /** Checked against the object's bytes; left out, the bytes say what it is. */
  bundleType: BundleType.optional(),
  /** A source secret of kind S3 granted to this application; left out, the one granted to it (or to all). */
  secretName: ResourceName.optional(),
  description: z.string().max(256).optional(),
});
export type RegisterS3RevisionRequest = z.infer<typeof RegisterS3RevisionRequest>;

export const RevisionJobStatus = z.enum(['Pending', 'Running', 'Succeeded', 'Failed']);
export type RevisionJobStatus = z.infer<typeof RevisionJobStatus>;

export const RevisionJobInfo = z.object({
  jobId: z.string(),
  applicationName: z.string(),
  sourceType: z.enum(['Git', 'S3']),
  /** What was asked (and, once resolved, the commit). */
  request: z.record(z.string(), z.unknown()),
  status: RevisionJobStatus,
  /** The latest progress line (fetching, receiving objects 42%, building the bundle, …). */
  progress: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Set once Succeeded. */
  revisionId: z.string().nullable(),
  /** Push webhooks configured to deploy: the deployment started with the revision. */
  deploymentId: z.string().nullable(),
  createTime: Timestamp,
  startTime: NullableTimestamp,
  endTime: NullableTimestamp,
});
export type RevisionJobInfo = z.infer<typeof RevisionJobInfo>;
export const RevisionJobParams = z.object({ applicationName: ResourceName, jobId: z.string().uuid() });
export const RevisionJobPage = z.object({ items: z.array(RevisionJobInfo), nextCursor: z.string().nullable() });
export type RevisionJobPage = z.infer<typeof RevisionJobPage>;
export const ListRevisionJobsQuery = z.object({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

// ---------------------------------------------------------------- source secrets

export const SourceSecretKind = z.enum(['GitToken', 'GitSshKey', 'S3']);
export type SourceSecretKind = z.infer<typeof SourceSecretKind>;

const Grants = {
  /** Applications that may use the secret. */
  applications: z.array(ResourceName).max(500).default([]),
  /** Every application may use it (a global S3 endpoint, an organisation-wide token). */
  allApplications: z.boolean().default(false),
};

export const CreateSourceSecretRequest = z.discriminatedUnion('kind', [
  z.object({
    name: ResourceName,
    kind: z.literal('GitToken'),
    /** The HTTPS user name the host expects with a token (GitHub: any; GitLab: oauth2 or the token's name). */
    username: z.string().min(1).max(255).default('x-access-token'),
    token: z.string().min(1).max(4096),
    ...Grants,
  }),
  z.object({
    name: ResourceName,
    kind: z.literal('GitSshKey'),
    /** An OpenSSH private key (a deploy key without passphrase). */
    privateKey: z
      .string()
      .min(1)
      .max(16_384)
      .refine((k) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(k), 'an OpenSSH or PEM private key'),
    /** known_hosts lines for the Git host; left out, the host key is accepted the first time (per fetch). */
    knownHosts: z.string().max(16_384).optional(),
    ...Grants,
  }),
  z.object({
    name: ResourceName,
    kind: z.literal('S3'),
    /** An S3-compatible endpoint (MinIO, Ceph, R2, …); left out, AWS S3. */
    endpoint: z.string().url().max(2048).optional(),
    region: z.string().min(1).max(64).default('us-east-1'),
    forcePathStyle: z.boolean().default(true),
    accessKeyId: z.string().min(1).max(256),
    secretAccessKey: z.string().min(1).max(1024),
    ...Grants,
  }),
]);
export type CreateSourceSecretRequest = z.infer<typeof CreateSourceSecretRequest>;

export const UpdateSourceSecretGrantsRequest = z.object({
  applications: z.array(ResourceName).max(500),
  allApplications: z.boolean().default(false),
});
export type UpdateSourceSecretGrantsRequest = z.infer<typeof UpdateSourceSecretGrantsRequest>;

/** A source secret as answers show it: never the secret part. */
export const SourceSecretInfo = z.object({
  name: z.string(),
  kind: SourceSecretKind,
  /** What may be shown: username, endpoint, region, forcePathStyle, accessKeyId, knownHosts. */
  settings: z.record(z.string(), z.unknown()),
  applications: z.array(z.string()),
  allApplications: z.boolean(),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type SourceSecretInfo = z.infer<typeof SourceSecretInfo>;
export const SourceSecretParams = z.object({ secretName: ResourceName });
export const SourceSecretList = z.object({ items: z.array(SourceSecretInfo) });

// ---------------------------------------------------------------- Git push triggers (webhooks)

export const GitHost = z.enum(['github', 'gitlab', 'gitea']);
export type GitHost = z.infer<typeof GitHost>;

export const CreateGitTriggerRequest = z.object({
  name: ResourceName,
  provider: GitHost,
  repositoryUrl: RepositoryUrl,
  /** Pushes to this branch register a revision; other pushes are acknowledged and ignored. */
  branch: GitRefName,
  path: RepositoryPath.optional(),
  secretName: ResourceName.optional(),
  /** Deploy each revision to this group ("push to main deploys to staging"); left out, register only. */
  deploymentGroupName: ResourceName.optional(),
});
export type CreateGitTriggerRequest = z.infer<typeof CreateGitTriggerRequest>;

export const GitTriggerInfo = z.object({
  triggerId: z.string(),
  applicationName: z.string(),
  name: z.string(),
  provider: GitHost,
  repositoryUrl: z.string(),
  branch: z.string(),
  path: z.string().nullable(),
  secretName: z.string().nullable(),
  deploymentGroupName: z.string().nullable(),
  /** The URL path the Git host posts to (prefix it with Drover's public address). */
  webhookPath: z.string(),
  createTime: Timestamp,
  lastDeliveryTime: NullableTimestamp,
});
export type GitTriggerInfo = z.infer<typeof GitTriggerInfo>;
/** Creation only: the webhook secret to paste into the Git host, shown once. */
export const GitTriggerWithSecret = GitTriggerInfo.extend({ webhookSecret: z.string() });
export type GitTriggerWithSecret = z.infer<typeof GitTriggerWithSecret>;
export const GitTriggerParams = z.object({ applicationName: ResourceName, triggerName: ResourceName });
export const GitTriggerList = z.object({ items: z.array(GitTriggerInfo) });
export const GitWebhookParams = z.object({ triggerId: z.string().uuid() });

/** The webhook's answer: what the push led to. */
export const GitWebhookResult = z.object({
  /** registered: a job was started; ignored: not the trigger's branch, or not a push. */
  result: z.enum(['registered', 'ignored']),
  reason: z.string().nullable(),
  jobId: z.string().nullable(),
});
export type GitWebhookResult = z.infer<typeof GitWebhookResult>;
