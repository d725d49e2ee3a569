import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { apiError, reply, stubApiCalls } from '../../../test-support/fake-api';
import { makeBalancerStatus, makeLoadBalancer, makeServer, makeWebhookBalancer } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { LoadBalancerPage } from './load-balancer-page';
import { LoadBalancersPage } from './load-balancers-page';

const SECRET = 'whsec_abc123SECRETSECRETSECRETSECRET';
const edge = makeLoadBalancer('edge', { usedBy: [{ applicationName: 'shop', deploymentGroupName: 'prod' }] });
const hooks = makeWebhookBalancer('hooks');

beforeEach(() => setCsrfToken('csrf-1'));
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

/** The list and detail pages under one router, as the app has them. */
function renderLoadBalancers(url: string, role: 'admin' | 'deployer' | 'viewer' = 'admin') {
  return renderPage('/load-balancers', url, <LoadBalancersPage />, role, [
    { path: '/load-balancers/:name', element: <LoadBalancerPage /> },
  ]);
}

describe('load balancers list', () => {
  it('lists each balancer with where Drover reaches it and the groups that use it', async () => {
    stubApiCalls({ '/v1/load-balancers': { items: [edge, hooks], nextCursor: null } });
    renderLoadBalancers('/load-balancers', 'viewer');
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['edge', 'hooks']);
    expect(rows[0]?.textContent).toContain('unix:/run/haproxy/admin.sock');
    expect(within(rows[0]!).getByRole('link', { name: 'shop / prod' }).getAttribute('href')).toBe(
      '/applications/shop/groups/prod',
    );
    expect(rows[1]?.textContent).toContain('https://lb-control.example.test/drover');
    // Creating is for admins.
    expect(screen.queryByRole('button', { name: 'Create load balancer' })).toBeNull();
  });

  it('creates a webhook balancer and shows its secret once, copyable, then never again', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/load-balancers': { items: [], nextCursor: null },
      'POST /v1/load-balancers': reply(201, { ...hooks, webhookSecret: SECRET }),
      '/v1/load-balancers/hooks': hooks,
      '/v1/load-balancers/hooks/servers': makeBalancerStatus('hooks', []),
    });
    const router = renderLoadBalancers('/load-balancers');
    await user.click(await screen.findByRole('button', { name: 'Create load balancer' }));
    const dialog = screen.getByRole('dialog', { name: 'Create load balancer' });
    await user.type(within(dialog).getByLabelText('Name'), 'hooks');
    await user.click(within(dialog).getByLabelText(/^Webhook/));
    await user.type(within(dialog).getByLabelText('Webhook URL'), 'https://lb-control.example.test/drover');
    await user.type(within(dialog).getByLabelText('Backends'), 'web, api');
    await user.click(within(dialog).getByRole('button', { name: 'Create load balancer' }));

    const created = await screen.findByRole('dialog', { name: 'Load balancer created' });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      loadBalancerName: 'hooks',
      provider: 'webhook',
      webhook: { url: 'https://lb-control.example.test/drover' },
      backends: ['web', 'api'],
      serverMapping: 'instanceName',
      drainTimeoutSeconds: 30,
      healthTimeoutSeconds: 60,
      killSessionsOnDrainTimeout: false,
    });
    const region = within(created).getByRole('region', { name: 'New webhook secret' });
    expect(region.textContent).toContain(SECRET);
    expect(region.textContent).toContain('it will not be shown again');
    expect(within(region).getByRole('button', { name: 'Copy webhook secret' })).toBeTruthy();

    await user.click(within(region).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/load-balancers/hooks'));
    await screen.findByRole('heading', { level: 1, name: 'hooks' });
    // The details show only the start of the secret.
    expect(document.body.textContent).not.toContain(SECRET);
    expect(document.body.textContent).toContain('whsec_abc123…');
  });

  it('shows the API’s reasons: under the field it names, and the message itself', async () => {
    const user = userEvent.setup();
    stubApiCalls({
      'GET /v1/load-balancers': { items: [edge], nextCursor: null },
      'POST /v1/load-balancers': reply(
        400,
        apiError('ValidationError', 'the request is invalid', {
          issues: [{ field: 'body.haproxy.socket', reason: 'use unix:/path/to/admin.sock or tcp:host:port' }],
        }),
      ),
    });
    renderLoadBalancers('/load-balancers');
    await user.click(await screen.findByRole('button', { name: 'Create load balancer' }));
    const dialog = screen.getByRole('dialog', { name: 'Create load balancer' });
    await user.type(within(dialog).getByLabelText('Name'), 'edge2');
    await user.type(within(dialog).getByLabelText('Runtime API socket'), 'haproxy.sock');
    await user.type(within(dialog).getByLabelText('Backends'), 'web');
    await user.click(within(dialog).getByRole('button', { name: 'Create load balancer' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('the request is invalid');
    const socket = within(dialog).getByLabelText('Runtime API socket');
    expect(socket.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(socket.getAttribute('aria-describedby')?.split(' ').at(-1) ?? '')?.textContent).toBe(
      'use unix:/path/to/admin.sock or tcp:host:port',
    );
  });
});

describe('one load balancer', () => {
  it('shows its servers live, with status, health, sessions, weight and address', async () => {
    stubApiCalls({
      '/v1/load-balancers/edge': edge,
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', [
        makeServer('web-1', { sessions: 4, queued: 2 }),
        makeServer('web-2', { status: 'DRAIN', adminState: 'drain', address: '10.0.0.2:8080' }),
        makeServer('spare', { status: 'DOWN', health: 'down', checkStatus: 'L4CON', instanceName: null }),
      ]),
    });
    renderLoadBalancers('/load-balancers/edge', 'viewer');
    const table = await screen.findByRole('table', { name: 'Servers as the balancer reports them' });
    const rows = within(table).getAllByRole('row').slice(1);
    const cells = (i: number) =>
      within(rows[i]!)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells(0)).toEqual(['web-1', 'web', 'web-1', '▲UP', '▲up (L7OK)', '4 · 2 queued', '100', '10.0.0.1:8080']);
    expect(cells(1)[3]).toBe('◐DRAIN admin: drain');
    expect(cells(2)[0]).toBe('not a registered host');
    expect(cells(2)[3]).toBe('▼DOWN');
    // Viewers read; only admins change.
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.getByText('Only admins change or delete load balancers.')).toBeTruthy();
  });

  it('says plainly why the balancer cannot be read', async () => {
    stubApiCalls({
      '/v1/load-balancers/edge': edge,
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', [], {
        reachable: false,
        error: 'connect ECONNREFUSED 127.0.0.1:9999',
      }),
    });
    renderLoadBalancers('/load-balancers/edge');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Drover could not read this balancer. connect ECONNREFUSED 127.0.0.1:9999',
    );
  });

  it('shows the 409 of a delete refused because a group uses it, as the API says it', async () => {
    const user = userEvent.setup();
    const message = 'load balancer edge is used by shop / prod; change their loadBalancerInfo first';
    stubApiCalls({
      'GET /v1/load-balancers/edge': edge,
      'DELETE /v1/load-balancers/edge': reply(409, apiError('LoadBalancerInUse', message)),
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', []),
    });
    renderLoadBalancers('/load-balancers/edge');
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete edge?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete load balancer' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(message);
  });

  it('rotates a webhook secret after asking, and shows the new one once', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/load-balancers/hooks': hooks,
      'PATCH /v1/load-balancers/hooks': {
        ...hooks,
        webhook: { ...hooks.webhook, secretPrefix: 'whsec_new456' },
        webhookSecret: SECRET,
      },
      '/v1/load-balancers/hooks/servers': makeBalancerStatus('hooks', []),
    });
    renderLoadBalancers('/load-balancers/hooks');
    await user.click(await screen.findByRole('button', { name: 'Rotate secret' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Rotate the webhook secret?' })).getByRole('button', {
        name: 'Rotate secret',
      }),
    );
    const region = await screen.findByRole('region', { name: 'New webhook secret' });
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ rotateWebhookSecret: true });
    expect(region.textContent).toContain(SECRET);
    expect(region.textContent).toContain('it will not be shown again');
    expect(screen.getByText('whsec_new456…')).toBeTruthy();
    await user.click(within(region).getByRole('button', { name: 'I have copied it' }));
    expect(document.body.textContent).not.toContain(SECRET);
  });
});
