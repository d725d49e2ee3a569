// One CodeDeploy operation: the least Drover role it needs, its input schema (CodeDeploy's member names; nested
// shapes are checked by Drover's own request schemas after mapping), and what it does with Drover's services.
import type { Role } from '@drover/contracts';
import type { Actor } from '@drover/engine';
import type { z } from 'zod';
import type { ApiContext } from '../context';
import type { Services } from '../services';
import type { AccessKeyIdentity } from '../services/access-key-service';
import type { RevisionSourceService } from '../services/revision-source-service';
import { fieldError } from './mapping/field-errors';

export interface AwsCall {
  s: Services;
  ctx: ApiContext;
  actor: Actor;
  identity: AccessKeyIdentity;
  /** The bucket name S3 revision locations use (mapping/revision-location.ts). */
  bucket: string;
  /** Git and S3 revisions (revision sources): gitHubLocation and s3Location in other buckets. */
  sources: RevisionSourceService;
}

export interface AwsOperation<S extends z.ZodType = z.ZodType> {
  role: Role;
  input: S;
  run(input: z.infer<S>, call: AwsCall): Promise<Record<string, unknown> | undefined>;
}

export const op = <S extends z.ZodType>(o: AwsOperation<S>): AwsOperation => o as unknown as AwsOperation;

/**
 * Validates a mapped value against one of Drover's request schemas; a failure is answered in CodeDeploy's words,
 * with Drover's field names renamed back to the ones the caller sent.
 */
export function parseAs<S extends z.ZodType>(
  schema: S,
  value: unknown,
  rename: Record<string, string> = {},
): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const [head, ...rest] = i.path;
    return typeof head === 'string' && rename[head] ? { ...i, path: [rename[head], ...rest] } : i;
  });
  throw fieldError(issues);
}

/** Standard AWS page size for list operations. */
export const PAGE = 100;
