// Host onboarding, public by design (a new host has no credential yet): the installer generated for this server
// (GET /install.sh) and the agent builds it downloads (GET /agent/download/…). Nothing here is secret; the
// registration token the user adds to the command line is what lets a host join.
import { AgentDownloadParams, AgentDownloads, ErrorBody } from '@drover/contracts';
import type { FastifyReply } from 'fastify';
import type { ReadStream } from 'node:fs';
import { z } from 'zod';
import type { ApiContext } from '../context';
import type { ZodApp } from '../lib/zod-app';
import { createAgentArtefacts, DOWNLOAD_PREFIX } from '../services/agent-downloads/agent-artefacts';
import { installCommand, renderInstallScript, serverUrlFor } from '../services/agent-downloads/install-script';

const tags = ['agent downloads'];
const Binary = z.string().meta({ format: 'binary' });
const text = (description: string, type: string) => ({ description, content: { [type]: { schema: z.string() } } });

export function registerAgentDownloadRoutes(app: ZodApp, ctx: ApiContext) {
  const artefacts = createAgentArtefacts(ctx.env.AGENT_DIST_DIR);
  const serverUrl = (req: { protocol: string; host: string }) => serverUrlFor(ctx.env.PUBLIC_URL, req);

  app.get(
    '/install.sh',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'getInstallScript',
        description:
          'The agent installer for this server (POSIX sh): `curl -fsSL <server>/install.sh | sudo sh -s -- --token drr_… --tag env=prod`. ' +
          'It downloads the agent from this server, checks its sha256, registers the host and starts the systemd unit; --help lists its options.',
        tags,
        security: [],
        response: { 200: text('The install script', 'text/x-shellscript') },
      },
    },
    async (req, reply) =>
      reply
        .type('text/x-shellscript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(renderInstallScript(serverUrl(req))),
  );

  app.get(
    DOWNLOAD_PREFIX,
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'listAgentDownloads',
        description:
          'The agent builds this server offers (the .mjs bundle and the self-contained executables) with their sha256.',
        tags,
        security: [],
        response: { 200: AgentDownloads },
      },
    },
    async (req) => ({
      installCommand: installCommand(serverUrl(req)),
      version: await artefacts.version(),
      artefacts: await artefacts.list(),
    }),
  );

  app.get(
    `${DOWNLOAD_PREFIX}/:file`,
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'downloadAgent',
        description:
          'One agent build (drover-agent.mjs, drover-agent-linux-x64, drover-agent-linux-arm64), or its checksum line ' +
          '(`<file>.sha256`, as sha256sum prints it). 404 names the build command when a file is not built on this server.',
        tags,
        security: [],
        params: AgentDownloadParams,
        response: {
          200: {
            description: 'The file, or its checksum line',
            content: { 'application/octet-stream': { schema: Binary }, 'text/plain': { schema: z.string() } },
          },
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { file } = req.params;
      if (file.endsWith('.sha256')) {
        return reply.type('text/plain; charset=utf-8').send(await artefacts.checksum(file.slice(0, -'.sha256'.length)));
      }
      return sendFile(reply, file, await artefacts.open(file));
    },
  );
}

function sendFile(reply: FastifyReply, file: string, f: { stream: ReadStream; size: number; sha256: string }) {
  return reply
    .type('application/octet-stream')
    .header('content-length', String(f.size))
    .header('content-disposition', `attachment; filename="${file}"`)
    .header('x-checksum-sha256', f.sha256)
    .header('cache-control', 'no-cache')
    .send(f.stream);
}
