// /v1/audit (admin): who changed what, when, from where.
import { AuditPage, ListAuditQuery } from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { authErrors } from './route-support';

export function registerAuditRoutes(app: ZodApp, s: Services) {
  app.get(
    '/audit',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listAuditEvents',
        description:
          'Newest first. actor matches the actor id or name (email, token name, instance name); afterId keeps only newer events (for following the log).',
        tags: ['audit'],
        querystring: ListAuditQuery,
        response: { 200: AuditPage, ...authErrors },
      },
    },
    async (req) => s.audit.list(req.query),
  );
}
