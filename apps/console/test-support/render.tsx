// Renders a page as the app would: a query client (no retries, so a 404 shows at once), who is logged in, a router.
import type { MeResponse } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { authKeys } from '../src/api/auth/keys';

export function renderPage(
  path: string,
  url: string,
  element: ReactNode,
  role: MeResponse['role'] = 'viewer',
  /** Other pages a test navigates to (a list page that opens a detail page). */
  more: RouteObject[] = [],
): ReturnType<typeof createMemoryRouter> {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const me: MeResponse = {
    kind: 'user',
    role,
    scopedOnly: false,
    globalRole: role,
    grants: [],
    mustChangePassword: false,
    user: null,
    token: null,
    csrfToken: 'csrf-1',
  };
  qc.setQueryData(authKeys.me(), me);
  const router = createMemoryRouter([{ path, element }, ...more, { path: '*', element: <p>elsewhere</p> }], {
    initialEntries: [url],
  });
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}
