// Revision sources: register a revision from a Git commit or an S3-compatible object (a job to follow), the source
// secrets those fetches use (admins), the Git push triggers of an application, and the Git hosts' webhook deliveries.
// docs/revision-sources.md.
import {
  ApplicationParams,
  CreateGitTriggerRequest,
  CreateSourceSecretRequest,
  GitTriggerInfo,
  GitTriggerList,
  GitTriggerParams,
  GitTriggerWithSecret,
  GitWebhookParams,
  GitWebhookResult,
  ListRevisionJobsQuery,
  RegisterGitRevisionRequest,
  RegisterS3RevisionRequest,
  RevisionJobInfo,
  RevisionJobPage,
  RevisionJobParams,
  SourceSecretInfo,
  SourceSecretList,
  SourceSecretParams,
  UpdateSourceSecretGrantsRequest,
} from '@drover/contracts';
import { z } from 'zod';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['revision-sources'];
const app$ = '/applications/:applicationName';

export function registerRevisionSourceRoutes(app: ZodApp, s: Services) {
  // A job still running when the server closes is finished first (it holds a temp directory and a DB row).
  app.addHook('onClose', async () => s.revisionSources.drain());

  app.post(
    `${app$}/revisions/git`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'registerGitRevision',
        description:
          'Builds a revision from one commit of a Git repository (a branch or tag is resolved to its full SHA now and ' +
          'recorded). Answers 202 with a registration job; follow it at revision-jobs/{jobId}.',
        tags,
        params: ApplicationParams,
        body: RegisterGitRevisionRequest,
        response: { 202: RevisionJobInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await s.revisionSources.registerGitRevision(req.params.applicationName, req.body, actor(req))),
  );

  app.post(
    `${app$}/revisions/s3`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'registerS3Revision',
        description:
          'Fetches a revision from an S3-compatible bucket with a source secret granted to the application, pinned to ' +
          'the object’s ETag (a changed object is refused). Answers 202 with a registration job.',
        tags,
        params: ApplicationParams,
        body: RegisterS3RevisionRequest,
        response: { 202: RevisionJobInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await s.revisionSources.registerS3Revision(req.params.applicationName, req.body, actor(req))),
  );

  app.get(
    `${app$}/revision-jobs`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'listRevisionJobs',
        description: 'Git and S3 registrations of the application, newest first.',
        tags,
        params: ApplicationParams,
        querystring: ListRevisionJobsQuery,
        response: { 200: RevisionJobPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.revisionSources.listJobs(req.params.applicationName, req.query),
  );

  app.get(
    `${app$}/revision-jobs/:jobId`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'getRevisionJob',
        description: 'A registration: its status, latest progress line, error, and the revision it gave.',
        tags,
        params: RevisionJobParams,
        response: { 200: RevisionJobInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.revisionSources.getJob(req.params.applicationName, req.params.jobId),
  );

  // ---------------------------------------------------------------- source secrets (admin)

  app.post(
    '/source-secrets',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createSourceSecret',
        description:
          'Stores a Git token, an SSH deploy key or S3 keys, sealed under SECRET_KEY; the secret part is never answered. ' +
          'Only the applications granted may use it.',
        tags,
        body: CreateSourceSecretRequest,
        response: { 201: SourceSecretInfo, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.sourceSecrets.create(req.body, actor(req))),
  );

  app.get(
    '/source-secrets',
    {
      config: { auth: 'viewer' },
      schema: { operationId: 'listSourceSecrets', tags, response: { 200: SourceSecretList, ...authErrors } },
    },
    async () => s.sourceSecrets.list(),
  );

  app.get(
    '/source-secrets/:secretName',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getSourceSecret',
        tags,
        params: SourceSecretParams,
        response: { 200: SourceSecretInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.sourceSecrets.get(req.params.secretName),
  );

  app.put(
    '/source-secrets/:secretName/grants',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'updateSourceSecretGrants',
        description: 'Replaces the applications that may use the secret.',
        tags,
        params: SourceSecretParams,
        body: UpdateSourceSecretGrantsRequest,
        response: { 200: SourceSecretInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.sourceSecrets.updateGrants(req.params.secretName, req.body, actor(req)),
  );

  app.delete(
    '/source-secrets/:secretName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteSourceSecret',
        tags,
        params: SourceSecretParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.sourceSecrets.delete(req.params.secretName, actor(req));
      return reply.code(204).send();
    },
  );

  // ---------------------------------------------------------------- Git push triggers

  app.post(
    `${app$}/git-triggers`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'createGitTrigger',
        description:
          'A push webhook for GitHub, GitLab or Gitea: pushes to the branch register a revision and, with ' +
          'deploymentGroupName, deploy it. The webhook secret is answered once.',
        tags,
        params: ApplicationParams,
        body: CreateGitTriggerRequest,
        response: { 201: GitTriggerWithSecret, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await s.gitTriggers.create(req.params.applicationName, req.body, actor(req))),
  );

  app.get(
    `${app$}/git-triggers`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'listGitTriggers',
        tags,
        params: ApplicationParams,
        response: { 200: GitTriggerList, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.gitTriggers.list(req.params.applicationName),
  );

  app.get(
    `${app$}/git-triggers/:triggerName`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'getGitTrigger',
        tags,
        params: GitTriggerParams,
        response: { 200: GitTriggerInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.gitTriggers.get(req.params.applicationName, req.params.triggerName),
  );

  app.delete(
    `${app$}/git-triggers/:triggerName`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'deleteGitTrigger',
        tags,
        params: GitTriggerParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) => {
      await s.gitTriggers.delete(req.params.applicationName, req.params.triggerName, actor(req));
      return reply.code(204).send();
    },
  );
}

/** The Git hosts' deliveries: public (the host's signature is the credential), the raw body kept for the check. */
export function registerGitWebhookRoutes(app: ZodApp, s: Services) {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post(
    '/git-webhooks/:triggerId',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'deliverGitWebhook',
        description:
          'Where a Git host posts push events (GitHub X-Hub-Signature-256, Gitea X-Gitea-Signature, GitLab ' +
          'X-Gitlab-Token). A push to the trigger’s branch starts a registration (202); other events are ignored.',
        tags,
        params: GitWebhookParams,
        body: z.custom<Buffer>((b) => Buffer.isBuffer(b), 'a JSON body').meta({ type: 'object' }),
        response: { 202: GitWebhookResult, 400: authErrors[400], 401: authErrors[401], ...notFoundError },
      },
    },
    async (req, reply) =>
      reply.code(202).send(
        await s.gitTriggers.deliver(req.params.triggerId, req.headers, req.body, {
          sourceIp: req.ip,
          requestId: req.id,
        }),
      ),
  );
}
