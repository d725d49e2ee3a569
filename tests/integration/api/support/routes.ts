// Every route of the real app, collected with an onRoute hook while it is built: tests that must cover routes added
// later (OpenAPI completeness, the authorization matrix) enumerate these instead of a hand-kept list.
import { buildApp, type App, type BuildOptions } from '@drover/api';
import type { TestApi } from '../../../support/api';

type RouteOptions = Parameters<NonNullable<BuildOptions['onRoute']>>[0];

export interface CollectedRoute {
  method: string;
  url: string;
  auth: string | undefined;
  hidden: boolean;
  schema: Record<string, unknown> | undefined;
}

/** Routes served by plugins we do not write (Swagger UI) or that only serve the console's files. */
export const isInfrastructure = (r: CollectedRoute) => r.url.startsWith('/docs') || r.hidden;

export async function buildAppWithRoutes(api: TestApi): Promise<{ app: App; routes: CollectedRoute[] }> {
  const seen: RouteOptions[] = [];
  // Keep the options objects and read them once the app is ready: onRoute hooks of inner scopes run after this one
  // and may still complete a route's declaration.
  const app = await buildApp(api.ctx, { onRoute: (r: RouteOptions) => void seen.push(r) });
  await app.ready();
  const routes = seen.flatMap((r) => {
    const schema = r.schema as Record<string, unknown> | undefined;
    return [r.method].flat().map((method) => ({
      method,
      url: r.url,
      auth: r.config?.auth,
      hidden: schema?.hide === true,
      schema,
    }));
  });
  return { app, routes };
}
