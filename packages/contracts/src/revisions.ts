// Revisions: a bundle (zip, tar, tgz) with an appspec, uploaded to Drover or registered by URL.
// Uploads stream the raw body (Content-Type: application/octet-stream) to POST .../revisions[?bundleType=…]
import { z } from 'zod';
import { NullableTimestamp, ResourceName, Timestamp } from './common';
import { BundleType } from './vocabulary';
import { RevisionSource } from './revision-sources';

export const Sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'a lowercase hex SHA-256 (64 characters)');
export const RevisionType = z.enum(['Upload', 'Url', 'Git', 'S3']);
export type RevisionType = z.infer<typeof RevisionType>;

/** Something CodeDeploy's agent would run but silently ignore (a misspelt `file:`, `overwrite:` in a files entry, a
 *  hook outside `hooks:`): the upload is accepted and the warning shown. See docs/appspec.md. */
export const AppSpecWarning = z.object({
  /** 1-based line in the appspec. */
  line: z.number().int(),
  /** Dotted path such as `files[0].overwrite` or `hook`. */
  field: z.string(),
  message: z.string(),
});
export type AppSpecWarning = z.infer<typeof AppSpecWarning>;

export const RevisionInfo = z.object({
  revisionId: z.string(),
  applicationName: z.string(),
  revisionType: RevisionType,
  bundleType: BundleType,
  sha256: z.string(),
  size: z.number().int(),
  description: z.string().nullable(),
  /** appspec.yml or appspec.yaml: found at the bundle root, or inside the bundle's single top-level directory
   *  (which then counts as the bundle root for file sources and hook script locations). */
  appspecFilename: z.string(),
  /** Url revisions: where agents download the bundle from. Null for uploads. */
  url: z.string().nullable(),
  /** Where a user (or agent) gets the bundle: the API path for uploads, the URL for Url revisions. */
  downloadUrl: z.string(),
  registerTime: Timestamp,
  firstUsedTime: NullableTimestamp,
  lastUsedTime: NullableTimestamp,
  /** Git and S3 revisions: the commit or object the bundle came from (docs/revision-sources.md). */
  source: RevisionSource.nullable().optional(),
  /** Upload answers only: the appspec's warnings (empty when there are none). Not stored: absent elsewhere. */
  appspecWarnings: z.array(AppSpecWarning).optional(),
});
export type RevisionInfo = z.infer<typeof RevisionInfo>;

export const UploadRevisionQuery = z.object({
  /** The declared type, checked against the bundle's magic bytes; left out, the server detects it from them. */
  bundleType: BundleType.optional(),
  description: z.string().max(256).optional(),
});
export type UploadRevisionQuery = z.infer<typeof UploadRevisionQuery>;

export const RegisterRevisionRequest = z.object({
  url: z
    .string()
    .url()
    .max(2048)
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL'),
  sha256: Sha256,
  size: z.number().int().min(0).optional(),
  bundleType: BundleType,
  description: z.string().max(256).optional(),
  appspecFilename: z.string().min(1).max(255).default('appspec.yml'),
});
export type RegisterRevisionRequest = z.infer<typeof RegisterRevisionRequest>;

export const RevisionParams = z.object({ applicationName: ResourceName, revisionId: z.string().uuid() });
export type RevisionParams = z.infer<typeof RevisionParams>;

export const RevisionSortBy = z.enum(['registerTime', 'firstUsedTime', 'lastUsedTime']);
export const SortOrder = z.enum(['ascending', 'descending']);

export const ListRevisionsQuery = z.object({
  sortBy: RevisionSortBy.default('registerTime'),
  sortOrder: SortOrder.default('descending'),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListRevisionsQuery = z.infer<typeof ListRevisionsQuery>;
export const RevisionPage = z.object({ items: z.array(RevisionInfo), nextCursor: z.string().nullable() });
export type RevisionPage = z.infer<typeof RevisionPage>;
