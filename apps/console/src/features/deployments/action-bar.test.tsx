import type { MeResponse } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authKeys } from '../../api/auth/keys';
import { setCsrfToken } from '../../api/client';
import { makeBlueGreenDeployment, makeDeployment } from '../../../test-support/fixtures';
import { ActionBar } from './action-bar';

const me = (role: MeResponse['role']): MeResponse => ({
  kind: 'user',
  role,
  scopedOnly: false,
  globalRole: role,
  grants: [],
  mustChangePassword: false,
  user: null,
  token: null,
  csrfToken: 'csrf-1',
});

function renderBar(d: ReturnType<typeof makeDeployment>, role: MeResponse['role'] = 'deployer') {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(authKeys.me(), me(role));
  const router = createMemoryRouter(
    [
      { path: '/deployments/:id', element: <ActionBar deployment={d} /> },
      { path: '*', element: <p>elsewhere</p> },
    ],
    { initialEntries: [`/deployments/${d.deploymentId}`] },
  );
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

let calls: { url: string; init: RequestInit }[] = [];
let answer: () => Response;
beforeEach(() => {
  calls = [];
  setCsrfToken('csrf-1');
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('ActionBar', () => {
  it('asks before stopping, focusing Cancel, then posts the stop and returns focus', async () => {
    const user = userEvent.setup();
    answer = () =>
      new Response(JSON.stringify({ status: 'Pending', statusMessage: '1 event still running' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    renderBar(makeDeployment({ status: 'InProgress', previousRevisionId: 'rev-0' }));
    const stop = screen.getByRole('button', { name: 'Stop' });
    await user.click(stop);
    const dialog = screen.getByRole('dialog', { name: 'Stop this deployment?' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Stop deployment' }));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('/v1/deployments/d-ABCDEF123/stop');
    expect(calls[0]?.init.body).toBe('{"autoRollbackEnabled":false}');
    expect(new Headers(calls[0]?.init.headers).get('x-csrf-token')).toBe('csrf-1');
    await vi.waitFor(() => expect(dialog.isConnected).toBe(false));
    expect(document.activeElement).toBe(stop);
  });

  it('sends autoRollbackEnabled for "Stop and roll back"', async () => {
    const user = userEvent.setup();
    answer = () =>
      new Response(JSON.stringify({ status: 'Succeeded', statusMessage: 'deployment stopped' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    renderBar(makeDeployment({ status: 'InProgress', previousRevisionId: 'rev-0' }));
    await user.click(screen.getByRole('button', { name: 'Stop and roll back' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Stop and roll back' }));
    expect(calls[0]?.init.body).toBe('{"autoRollbackEnabled":true}');
  });

  it('shows the server’s reason when an action is refused, and keeps the dialog open', async () => {
    const user = userEvent.setup();
    answer = () =>
      new Response(
        JSON.stringify({
          error: { code: 'NoRevisionToRollBackTo', message: 'there is no earlier successful revision' },
        }),
        {
          status: 409,
          headers: { 'content-type': 'application/json' },
        },
      );
    renderBar(makeDeployment({ status: 'Failed', previousRevisionId: 'rev-0' }));
    await user.click(screen.getByRole('button', { name: 'Roll back' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back' }));
    expect((await screen.findByRole('alert')).textContent).toBe('there is no earlier successful revision');
    expect(screen.getByRole('dialog', { name: 'Roll back this deployment?' })).toBeTruthy();
  });

  it('follows a rollback to the new deployment', async () => {
    const user = userEvent.setup();
    answer = () =>
      new Response(JSON.stringify(makeDeployment({ deploymentId: 'd-ROLLBACK1', creator: 'rollback' })), {
        status: 201,
        headers: { 'content-type': 'application/json' },
      });
    const router = renderBar(makeDeployment({ status: 'Failed', previousRevisionId: 'rev-0' }));
    await user.click(screen.getByRole('button', { name: 'Roll back' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back' }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/deployments/d-ROLLBACK1'));
  });

  it('leaves a blue/green deployment’s wait to its panel, which says which wait it ends', () => {
    renderBar(makeBlueGreenDeployment({ phase: 'ready' }, { status: 'Ready' }));
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
  });

  it('explains disabled buttons to a viewer', () => {
    renderBar(makeDeployment({ status: 'InProgress', previousRevisionId: 'rev-0' }), 'viewer');
    const stop = screen.getByRole('button', { name: 'Stop' });
    // Focusable, so a keyboard reaches it and its reason; pressing it does nothing.
    expect(stop.getAttribute('aria-disabled')).toBe('true');
    stop.focus();
    expect(document.activeElement).toBe(stop);
    stop.click();
    expect(screen.queryByRole('dialog')).toBeNull();
    const describedBy = stop.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toMatch(/deployer or admin/);
  });
});
