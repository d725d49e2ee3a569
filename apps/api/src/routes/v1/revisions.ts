// /v1/applications/:applicationName/revisions: upload a bundle (raw streamed body), register one by URL, list, get
// and download (Range supported). Registered in its own scope so the pass-through octet-stream parser stays here.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApplicationParams,
  ErrorBody,
  ListRevisionsQuery,
  RegisterRevisionRequest,
  RevisionInfo,
  RevisionPage,
  RevisionParams,
  UploadRevisionQuery,
} from '@drover/contracts';
import { z } from 'zod';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import type { BundleDownload } from '../../services/revision-service';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['revisions'];
const base = '/applications/:applicationName/revisions';

/** The request body of an upload: the bundle's bytes, handed to the service as a stream (never buffered). */
const BundleBody = z
  .custom<Readable>((v) => v instanceof Readable, 'send the bundle as the raw request body (application/octet-stream)')
  .meta({ type: 'string', format: 'binary' });
const Binary = z.string().meta({ format: 'binary' });
const binaryResponse = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: Binary } },
});

function declaredLength(req: FastifyRequest): number | undefined {
  const n = Number(req.headers['content-length']);
  return Number.isFinite(n) ? n : undefined;
}

/** HTTP framing of a bundle download: status, length, range and caching headers. */
function sendBundle(reply: FastifyReply, b: BundleDownload, requestId: string) {
  if (b.kind === 'redirect') return reply.redirect(b.url, 302);
  if (b.kind === 'unsatisfiable') {
    return reply
      .code(416)
      .header('content-range', `bytes */${b.size}`)
      .send({ error: { code: 'RangeNotSatisfiable', message: `the bundle has ${b.size} bytes`, requestId } });
  }
  reply
    .header('accept-ranges', 'bytes')
    .header('content-type', b.contentType)
    .header('content-length', String(b.end - b.start + 1))
    .header('content-disposition', `attachment; filename="${b.fileName}"`)
    .header('etag', `"${b.sha256}"`)
    .header('x-checksum-sha256', b.sha256);
  if (b.kind === 'partial') reply.code(206).header('content-range', `bytes ${b.start}-${b.end}/${b.size}`);
  return reply.send(b.stream);
}

export function registerRevisionRoutes(app: ZodApp, s: Services) {
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.post(
    base,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'uploadRevision',
        description:
          'Streams the bundle in the request body (Content-Type: application/octet-stream). The bundle type is read ' +
          'from its magic bytes (a declared bundleType must agree) and the appspec inside is validated. Uploading ' +
          'bytes this application already has returns the existing revision with 200.',
        tags,
        consumes: ['application/octet-stream'],
        params: ApplicationParams,
        querystring: UploadRevisionQuery,
        body: BundleBody,
        response: {
          200: RevisionInfo,
          201: RevisionInfo,
          ...authErrors,
          ...notFoundError,
          413: ErrorBody,
          415: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const r = await s.revisions.upload(
        req.params.applicationName,
        req.query,
        req.body,
        declaredLength(req),
        actor(req),
      );
      return reply.code(r.created ? 201 : 200).send(r.revision);
    },
  );

  app.post(
    `${base}/register`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'registerRevision',
        description: 'Registers a bundle hosted elsewhere; agents download it from the URL and check the sha256.',
        tags,
        params: ApplicationParams,
        body: RegisterRevisionRequest,
        response: { 200: RevisionInfo, 201: RevisionInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      const r = await s.revisions.register(req.params.applicationName, req.body, actor(req));
      return reply.code(r.created ? 201 : 200).send(r.revision);
    },
  );

  app.get(
    base,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'listRevisions',
        tags,
        params: ApplicationParams,
        querystring: ListRevisionsQuery,
        response: { 200: RevisionPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.revisions.list(req.params.applicationName, req.query),
  );

  app.get(
    `${base}/:revisionId`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'getRevision',
        tags,
        params: RevisionParams,
        response: { 200: RevisionInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.revisions.get(req.params.applicationName, req.params.revisionId),
  );

  app.get(
    `${base}/:revisionId/bundle`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'downloadRevisionBundle',
        description: 'Streams the bundle; honours a single Range. Url revisions redirect to their URL.',
        tags,
        params: RevisionParams,
        response: {
          200: binaryResponse('The bundle'),
          206: binaryResponse('The requested byte range of the bundle'),
          302: NoContent.describe('Url revision: redirect to the external URL'),
          ...authErrors,
          ...notFoundError,
          416: ErrorBody,
        },
      },
    },
    async (req, reply) =>
      sendBundle(
        reply,
        await s.revisions.openBundle(req.params.applicationName, req.params.revisionId, req.headers.range),
        req.id,
      ),
  );
}
