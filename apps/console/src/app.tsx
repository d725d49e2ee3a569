// Routes of the console. Every page but /login sits behind RequireAuth inside the shell.
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { authKeys } from './api/auth/keys';
import { setUnauthorizedHandler } from './api/client';
import { Layout } from './components/layout';
import { NotFound } from './components/not-found';
import { ApplicationPage } from './features/applications/application-page';
import { ApplicationsPage } from './features/applications/applications-page';
import { AuditPage } from './features/audit/audit-page';
import { LoginPage } from './features/auth/login-page';
import { RequireAuth } from './features/auth/require-auth';
import { GroupPage } from './features/deployment-groups/group-page';
import { CreateDeploymentPage } from './features/deployments/create-deployment-page';
import { DeploymentPage } from './features/deployments/deployment-page';
import { DeploymentsPage } from './features/deployments/deployments-page';
import { InstancesPage } from './features/instances/instances-page';
import { LoadBalancerPage } from './features/load-balancers/load-balancer-page';
import { LoadBalancersPage } from './features/load-balancers/load-balancers-page';
import { SettingsPage } from './features/settings/settings-page';

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/applications" replace /> },
          { path: 'applications', element: <ApplicationsPage /> },
          { path: 'applications/:appName', element: <ApplicationPage /> },
          { path: 'applications/:appName/groups/:groupName', element: <GroupPage /> },
          { path: 'applications/:appName/deploy', element: <CreateDeploymentPage /> },
          { path: 'deployments', element: <DeploymentsPage /> },
          { path: 'deployments/:deploymentId', element: <DeploymentPage /> },
          { path: 'instances', element: <InstancesPage /> },
          { path: 'load-balancers', element: <LoadBalancersPage /> },
          { path: 'load-balancers/:name', element: <LoadBalancerPage /> },
          { path: 'settings/*', element: <SettingsPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

export function App({ queryClient }: { queryClient: QueryClient }) {
  const router = createRouterOnce();
  useEffect(
    () =>
      // A 401 anywhere means the session ended: forget who we were and go to the log-in page, then come back.
      setUnauthorizedHandler(() => {
        queryClient.setQueryData(authKeys.me(), null);
        const { pathname, search } = window.location;
        if (pathname !== '/login') void router.navigate(`/login?next=${encodeURIComponent(pathname + search)}`);
      }),
    [queryClient, router],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}

let router: ReturnType<typeof createBrowserRouter> | null = null;
function createRouterOnce() {
  router ??= createBrowserRouter(routes);
  return router;
}
