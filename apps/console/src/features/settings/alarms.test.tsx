import type { AlarmEvaluation, AlarmInfo } from '@drover/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { apiError, reply, stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { Alarms, parseExpectStatus, parseMatchers } from './alarms';

const T0 = '2026-12-03T08:00:00.000Z';
const prom = (over: Partial<AlarmInfo> = {}): AlarmInfo => ({
  alarmId: '00000000-0000-4000-8000-000000000001',
  alarmName: 'shop-5xx',
  kind: 'prometheus',
  prometheus: {
    url: 'http://prometheus:9090',
    query: 'sum(rate(x{code=~"5.."}[1m]))',
    comparison: '>',
    threshold: 0.5,
    forSeconds: 30,
    timeoutSeconds: 10,
    auth: { type: 'bearer', username: null },
  },
  alertmanager: null,
  httpProbe: null,
  usedBy: [{ applicationName: 'shop', deploymentGroupName: 'prod' }],
  lastState: 'ALARM',
  lastDetail: 'sum(…): {} = 0.9 (1 of 1 series > 0.5)',
  lastEvaluatedAt: T0,
  createTime: T0,
  updateTime: T0,
  ...over,
});
const probe = (): AlarmInfo =>
  prom({
    alarmId: '00000000-0000-4000-8000-000000000002',
    alarmName: 'health',
    kind: 'http_probe',
    prometheus: null,
    httpProbe: { url: 'http://shop.internal/healthz', expectStatus: { min: 200, max: 299 }, timeoutSeconds: 5 },
    usedBy: [],
    lastState: null,
    lastDetail: null,
    lastEvaluatedAt: null,
  });

beforeEach(() => setCsrfToken('csrf-1'));
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const render = (role: 'admin' | 'deployer' | 'viewer') =>
  renderPage('/settings/alarms', '/settings/alarms', <Alarms />, role);

describe('alarms', () => {
  it('lists alarms with what they check, their last state and the groups using them; viewers only read', async () => {
    stubApiCalls({ '/v1/alarms': { items: [prom(), probe()], nextCursor: null } });
    render('viewer');
    const table = await screen.findByRole('table', { name: 'Alarms' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('sum(rate(x{code=~"5.."}[1m])) > 0.5 for 30 s');
    expect(rows[0]?.textContent).toContain('ALARM');
    expect(within(rows[0]!).getByRole('link', { name: 'shop / prod' }).getAttribute('href')).toBe(
      '/applications/shop/groups/prod',
    );
    expect(rows[1]?.textContent).toContain('GET http://shop.internal/healthz → 200–299');
    expect(rows[1]?.textContent).toContain('not evaluated');
    expect(screen.queryByRole('button', { name: 'Create alarm' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Evaluate shop-5xx now' })).toBeNull();
  });

  it('a deployer evaluates an alarm now and sees the result', async () => {
    const user = userEvent.setup();
    const result: AlarmEvaluation = {
      alarmName: 'health',
      kind: 'http_probe',
      state: 'ALARM',
      detail: 'GET http://shop.internal/healthz answered 503, expected 200-299',
      value: 503,
      conditionMet: true,
      pendingSince: T0,
      observedAt: T0,
    };
    const calls = stubApiCalls({
      'GET /v1/alarms': { items: [probe()], nextCursor: null },
      'POST /v1/alarms/health/evaluate': result,
    });
    render('deployer');
    await user.click(await screen.findByRole('button', { name: 'Evaluate health now' }));
    const status = await screen.findByRole('status', { name: 'Evaluation of health' });
    expect(status.textContent).toContain('ALARM');
    expect(status.textContent).toContain('answered 503, expected 200-299');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/v1/alarms/health/evaluate']);
    expect(screen.queryByRole('button', { name: 'Edit health' })).toBeNull();
  });

  it('an admin creates a Prometheus alarm with a bearer token; a server field error shows under its field', async () => {
    const user = userEvent.setup();
    let attempts = 0;
    const calls = stubApiCalls({
      'GET /v1/alarms': { items: [], nextCursor: null },
      'POST /v1/alarms': () =>
        ++attempts === 1
          ? reply(
              400,
              apiError('InvalidInput', 'body.prometheus.url: http or https only', {
                issues: [{ field: 'body.prometheus.url', reason: 'http or https only' }],
              }),
            )
          : reply(201, prom({ usedBy: [] })),
    });
    render('admin');
    await user.click(await screen.findByRole('button', { name: 'Create alarm' }));
    await user.type(screen.getByLabelText('Name'), 'shop-5xx');
    await user.type(screen.getByLabelText('Prometheus URL'), 'ftp://prometheus');
    await user.type(screen.getByLabelText('Query'), 'up == 0');
    await user.type(screen.getByLabelText('Threshold'), '0');
    await user.click(screen.getByLabelText('Bearer token'));
    await user.type(screen.getByLabelText('Token'), 't0ken');
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Create alarm' }));
    expect(await within(dialog).findByText('http or https only')).toBeTruthy();
    const url = screen.getByLabelText('Prometheus URL');
    await user.clear(url);
    await user.type(url, 'http://prometheus:9090');
    await user.click(within(dialog).getByRole('button', { name: 'Create alarm' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      alarmName: 'shop-5xx',
      kind: 'prometheus',
      prometheus: {
        url: 'http://prometheus:9090',
        query: 'up == 0',
        comparison: '>',
        threshold: 0,
        forSeconds: 0,
        timeoutSeconds: 10,
        auth: { type: 'bearer', token: 't0ken' },
      },
    });
  });

  it('editing keeps the stored credentials unless asked to replace or remove them', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/alarms': { items: [prom()], nextCursor: null },
      'PATCH /v1/alarms/shop-5xx': prom({ prometheus: { ...prom().prometheus!, threshold: 1 } }),
    });
    render('admin');
    await user.click(await screen.findByRole('button', { name: 'Edit shop-5xx' }));
    expect(screen.getByLabelText('Keep the stored bearer credentials')).toBeTruthy();
    const threshold = screen.getByLabelText('Threshold');
    await user.clear(threshold);
    await user.type(threshold, '1');
    await user.click(screen.getByRole('button', { name: 'Save alarm' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const body = calls.find((c) => c.method === 'PATCH')?.body as { prometheus: Record<string, unknown> };
    expect(body.prometheus).toMatchObject({ threshold: 1, forSeconds: 30 });
    expect(body.prometheus).not.toHaveProperty('auth');
  });
});

describe('form parsing', () => {
  it('reads matchers and expected statuses as written', () => {
    expect(parseMatchers('service=shop, severity=~"critical|page", env!=dev')).toEqual([
      { name: 'service', op: '=', value: 'shop' },
      { name: 'severity', op: '=~', value: 'critical|page' },
      { name: 'env', op: '!=', value: 'dev' },
    ]);
    expect(parseMatchers('')).toEqual([]);
    expect(parseExpectStatus('200')).toBe(200);
    expect(parseExpectStatus('200, 204')).toEqual([200, 204]);
    expect(parseExpectStatus('200-299')).toEqual({ min: 200, max: 299 });
  });
});
