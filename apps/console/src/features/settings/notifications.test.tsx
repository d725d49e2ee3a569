import type { NotificationDelivery, NotificationTargetInfo } from '@drover/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { reply, stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { NotificationTargetDetail, NotificationTargets } from './notifications';

const SECRET = 'whsec_abc123SECRETSECRETSECRETSECRET';
const T0 = '2026-12-03T08:00:00.000Z';
const target = (name: string, over: Partial<NotificationTargetInfo> = {}): NotificationTargetInfo => ({
  notificationTargetId: `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`,
  notificationTargetName: name,
  kind: 'webhook',
  url: 'https://ci.example.test/hooks/…',
  secretPrefix: SECRET.slice(0, 12),
  description: null,
  usedBy: [],
  pendingDeliveries: 0,
  failedDeliveries: 0,
  createTime: T0,
  updateTime: T0,
  ...over,
});
const delivery = (id: string, over: Partial<NotificationDelivery> = {}): NotificationDelivery => ({
  deliveryId: id,
  eventId: `e-${id}`,
  eventType: 'DeploymentFailure',
  deploymentId: 'd-ABCDEFGH1',
  triggerName: 'ci',
  status: 'delivered',
  attempts: 1,
  nextAttemptTime: null,
  lastAttemptTime: T0,
  deliveredTime: T0,
  responseStatus: 200,
  latencyMs: 12,
  responseExcerpt: 'ok',
  error: null,
  summarizedIn: null,
  createTime: T0,
  ...over,
});

beforeEach(() => setCsrfToken('csrf-1'));
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

function render(url: string, role: 'admin' | 'viewer' = 'admin') {
  return renderPage('/settings/notifications', url, <NotificationTargets />, role, [
    { path: '/settings/notifications/:name', element: <NotificationTargetDetail /> },
  ]);
}

describe('notification targets', () => {
  it('lists targets with the triggers that use them and their failed deliveries; viewers cannot add', async () => {
    stubApiCalls({
      '/v1/notification-targets': {
        items: [
          target('ci', {
            usedBy: [{ applicationName: 'shop', deploymentGroupName: 'prod', triggerName: 'deploys' }],
            failedDeliveries: 2,
          }),
          target('chat', { kind: 'slack', secretPrefix: null, url: 'https://hooks.slack.test/services/…' }),
        ],
        nextCursor: null,
      },
    });
    render('/settings/notifications', 'viewer');
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['ci', 'chat']);
    expect(rows[0]?.textContent).toContain('2 failed');
    expect(within(rows[0]!).getByRole('link', { name: 'shop / prod' }).getAttribute('href')).toBe(
      '/applications/shop/groups/prod',
    );
    expect(rows[1]?.textContent).toContain('Chat (Slack-compatible)');
    expect(screen.queryByRole('button', { name: 'Create target' })).toBeNull();
  });

  it('creates a webhook target, shows its secret once, then opens the target', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/notification-targets': { items: [], nextCursor: null },
      'POST /v1/notification-targets': reply(201, { ...target('ci'), signingSecret: SECRET }),
      '/v1/notification-targets/ci': target('ci'),
      '/v1/notification-targets/ci/deliveries': { items: [], nextCursor: null },
    });
    const router = render('/settings/notifications');
    await user.type(await screen.findByLabelText('Name'), 'ci');
    await user.type(screen.getByLabelText('URL'), 'https://ci.example.test/hooks/drover');
    await user.click(screen.getByRole('button', { name: 'Create target' }));
    const region = await screen.findByRole('region', { name: 'New signing secret' });
    expect(region.textContent).toContain(SECRET);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      notificationTargetName: 'ci',
      kind: 'webhook',
      url: 'https://ci.example.test/hooks/drover',
    });
    await user.click(within(region).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/notifications/ci'));
    await screen.findByRole('heading', { name: 'ci' });
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it("shows a target's delivery log; a test event and a redelivery are sent from it", async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      '/v1/notification-targets/ci': target('ci'),
      '/v1/notification-targets/ci/deliveries': {
        items: [
          delivery('d2', {
            status: 'failed',
            attempts: 9,
            responseStatus: 503,
            error: 'the receiver answered HTTP 503; gave up after 9 attempt(s) (retry window ended)',
          }),
          delivery('d1', { status: 'pending', attempts: 2, deliveredTime: null, responseStatus: null }),
        ],
        nextCursor: null,
      },
      'POST /v1/notification-targets/ci/test': reply(202, delivery('d3', { status: 'pending', attempts: 0 })),
      'POST /v1/notification-targets/ci/deliveries/d2/redeliver': reply(202, delivery('d2', { status: 'pending' })),
    });
    render('/settings/notifications/ci');
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('Failed');
    expect(rows[0]?.textContent).toContain('HTTP 503');
    expect(rows[0]?.textContent).toContain('gave up after 9 attempt(s)');
    expect(rows[1]?.textContent).toContain('Retrying');
    // Only a finished delivery can be sent again.
    expect(within(rows[1]!).queryByRole('button', { name: 'Redeliver' })).toBeNull();
    await user.click(within(rows[0]!).getByRole('button', { name: 'Redeliver' }));
    await user.click(screen.getByRole('button', { name: 'Send a test event' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual([
        '/v1/notification-targets/ci/deliveries/d2/redeliver',
        '/v1/notification-targets/ci/test',
      ]),
    );
  });
});
