// Revision sources: register a revision from a Git commit or an S3-compatible object (a job), follow the job, and
// the admins' source secrets and an application's Git push triggers.
import {
  GitTriggerInfo,
  GitTriggerList,
  GitTriggerWithSecret,
  RevisionJobInfo,
  RevisionJobPage,
  SourceSecretInfo,
  SourceSecretList,
  type CreateGitTriggerRequest,
  type CreateSourceSecretRequest,
  type RegisterGitRevisionRequest,
  type RegisterS3RevisionRequest,
  type UpdateSourceSecretGrantsRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

const ENDED = new Set(['Succeeded', 'Failed']);

export function revisionSourcesApi(t: Transport) {
  const app = (name: string) => `/v1/applications/${encode(name)}`;
  const job = (name: string, id: string) => `${app(name)}/revision-jobs/${encode(id)}`;
  const secret = (name: string) => `/v1/source-secrets/${encode(name)}`;
  const getJob = (appName: string, jobId: string, signal?: AbortSignal) =>
    t.json('GET', job(appName, jobId), RevisionJobInfo, { signal });
  return {
    /** Starts building a revision from one Git commit; answers the job (202). */
    registerGit: (appName: string, body: z.input<typeof RegisterGitRevisionRequest>) =>
      t.json('POST', `${app(appName)}/revisions/git`, RevisionJobInfo, { json: body }),
    /** Starts fetching a revision from an S3-compatible bucket; answers the job (202). */
    registerS3: (appName: string, body: z.input<typeof RegisterS3RevisionRequest>) =>
      t.json('POST', `${app(appName)}/revisions/s3`, RevisionJobInfo, { json: body }),
    getJob,
    listJobs: (appName: string, query: { cursor?: string; limit?: number } = {}, signal?: AbortSignal) =>
      t.json('GET', `${app(appName)}/revision-jobs`, RevisionJobPage, { query, signal }),
    /** Polls the job until it has Succeeded or Failed, calling onProgress with each new progress line. */
    async waitForJob(
      appName: string,
      jobId: string,
      opts: { onProgress?: (line: string) => void; intervalMs?: number; signal?: AbortSignal } = {},
    ): Promise<RevisionJobInfo> {
      let last: string | null = null;
      for (;;) {
        const j = await getJob(appName, jobId, opts.signal);
        if (j.progress && j.progress !== last) opts.onProgress?.(j.progress);
        last = j.progress;
        if (ENDED.has(j.status)) return j;
        await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
      }
    },

    secrets: {
      list: (signal?: AbortSignal) => t.json('GET', '/v1/source-secrets', SourceSecretList, { signal }),
      get: (name: string, signal?: AbortSignal) => t.json('GET', secret(name), SourceSecretInfo, { signal }),
      /** Admin. The secret part is stored sealed and never answered. */
      create: (body: z.input<typeof CreateSourceSecretRequest>) =>
        t.json('POST', '/v1/source-secrets', SourceSecretInfo, { json: body }),
      grant: (name: string, body: z.input<typeof UpdateSourceSecretGrantsRequest>) =>
        t.json('PUT', `${secret(name)}/grants`, SourceSecretInfo, { json: body }),
      delete: (name: string) => t.empty('DELETE', secret(name)),
    },

    triggers: {
      list: (appName: string, signal?: AbortSignal) =>
        t.json('GET', `${app(appName)}/git-triggers`, GitTriggerList, { signal }),
      get: (appName: string, name: string, signal?: AbortSignal) =>
        t.json('GET', `${app(appName)}/git-triggers/${encode(name)}`, GitTriggerInfo, { signal }),
      /** The answer carries `webhookSecret`, shown only here. */
      create: (appName: string, body: z.input<typeof CreateGitTriggerRequest>) =>
        t.json('POST', `${app(appName)}/git-triggers`, GitTriggerWithSecret, { json: body }),
      delete: (appName: string, name: string) => t.empty('DELETE', `${app(appName)}/git-triggers/${encode(name)}`),
    },
  };
}
