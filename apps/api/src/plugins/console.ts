// Serves the built console (apps/console/dist) at /, with index.html for client-side routes.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiContext } from '../context';

const DEFAULT_CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

export async function registerConsole(app: FastifyInstance, ctx: ApiContext) {
  const dir = ctx.env.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR;
  if (!existsSync(path.join(dir, 'index.html'))) {
    app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/plain')
        .send('Drover API is running. The console is not built: run `pnpm build` (pnpm start does it for you).'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: dir, wildcard: false, index: ['index.html'] });
  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const p = req.url.split('?')[0] ?? '/';
    if (/^\/(v1|agent|docs)(\/|$)/.test(p)) {
      return reply.code(404).send({ error: { code: 'NotFound', message: `no route for ${req.method} ${p}` } });
    }
    return reply.sendFile('index.html');
  });
}
