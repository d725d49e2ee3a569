import type { AlarmCheckInfo, DeploymentInfo } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeBlueGreenDeployment, makeDeployment } from '../../../test-support/fixtures';
import { AlarmStopBanner, parseAlarmStop } from './alarm-stop-banner';
import { AlarmsSection } from './alarms-section';

const NOW = Date.parse('2026-08-14T12:30:00.000Z');
const CHECKS = '/v1/deployments/d-ABCDEF123/alarm-checks';

const alarms = (over: Partial<NonNullable<DeploymentInfo['alarms']>> = {}): DeploymentInfo['alarms'] => ({
  enabled: true,
  ignorePollAlarmFailure: false,
  alarmNames: ['errors-5xx', 'latency-p99'],
  bakeTimeInSeconds: 120,
  overridden: false,
  bakeEndsAt: null,
  ...over,
});

const check = (over: Partial<AlarmCheckInfo>): AlarmCheckInfo => ({
  alarmName: 'errors-5xx',
  state: 'OK',
  detail: 'sum(rate(http_requests_total{code=~"5.."}[30s])) = 0 (threshold > 1)',
  value: 0,
  firstTime: '2026-08-14T12:20:00.000Z',
  lastTime: '2026-08-14T12:29:58.000Z',
  count: 300,
  ...over,
});

function renderWithRouter(node: React.ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Alarms section', () => {
  it('names the watched alarms (linking to Settings → Alarms), the poll-failure rule and the bake time', async () => {
    stubApi({ [CHECKS]: { items: [] } });
    renderWithRouter(<AlarmsSection deployment={makeDeployment({ alarms: alarms() })} />);
    const section = screen.getByRole('region', { name: 'Alarms' });
    const link = within(section).getByRole('link', { name: 'errors-5xx' });
    expect(link.getAttribute('href')).toBe('/settings/alarms');
    expect(within(section).getByRole('link', { name: 'latency-p99' })).toBeTruthy();
    expect(section.textContent).toContain('the deployment group’s settings');
    expect(section.textContent).toContain('the deployment stops (ignorePollAlarmFailure off)');
    expect(section.textContent).toContain('2 m 00 s after the last traffic step');
    expect(await within(section).findByText('No evaluation yet.')).toBeTruthy();
  });

  it('lists each run of evaluations with its state in words, detail, count and span', async () => {
    stubApi({
      [CHECKS]: {
        items: [
          check({}),
          check({
            alarmName: 'latency-p99',
            state: 'ALARM',
            detail: 'histogram_quantile(0.99, …) = 1.8 (threshold > 0.5)',
            value: 1.8,
            count: 1,
            firstTime: '2026-08-14T12:29:58.000Z',
          }),
          check({ alarmName: 'latency-p99', state: 'UNREACHABLE', detail: 'connect ECONNREFUSED', value: null }),
        ],
      },
    });
    renderWithRouter(<AlarmsSection deployment={makeDeployment({ alarms: alarms() })} />);
    const table = await screen.findByRole('table', { name: 'Alarm evaluations' });
    const body = within(table).getAllByRole('row').slice(1);
    const cells = body.map((r) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    );
    expect(cells[0]?.slice(0, 4)).toEqual([
      'errors-5xx',
      '✓OK',
      'sum(rate(http_requests_total{code=~"5.."}[30s])) = 0 (threshold > 1) (value 0)',
      '300 checks',
    ]);
    expect(cells[1]?.slice(1, 4)).toEqual([
      '✕In alarm',
      'histogram_quantile(0.99, …) = 1.8 (threshold > 0.5) (value 1.8)',
      '1 check',
    ]);
    expect(cells[2]?.[1]).toBe('?Could not be read');
    expect(cells[0]?.[4]).toBe('10 minutes ago – just now');
  });

  it('counts down the bake while Baking', () => {
    stubApi({ [CHECKS]: { items: [] } });
    renderWithRouter(
      <AlarmsSection
        deployment={makeDeployment({
          status: 'Baking',
          alarms: alarms({ bakeEndsAt: new Date(NOW + 95_000).toISOString() }),
        })}
      />,
    );
    expect(screen.getByRole('timer').textContent).toBe('1 m 35 s');
    expect(screen.getByRole('region', { name: 'Alarms' }).textContent).toContain('Baking: ends in 1 m 35 s');
  });

  it('warns when the deployment ignored the group’s alarms', () => {
    stubApi({ [CHECKS]: { items: [] } });
    renderWithRouter(
      <AlarmsSection
        deployment={makeDeployment({ alarms: alarms({ enabled: false, alarmNames: [], overridden: true }) })}
      />,
    );
    const section = screen.getByRole('region', { name: 'Alarms' });
    expect(section.textContent).toContain('started with the group’s alarms ignored');
    expect(section.textContent).toContain('audit log');
    expect(section.textContent).toContain('none: alarms are off for this deployment');
  });
});

describe('the alarm stop banner', () => {
  it('reads the alarm and what it saw out of the message', () => {
    expect(parseAlarmStop('deployment stopped: alarm errors-5xx is in ALARM: rate(...) = 4.2 (threshold > 1)')).toEqual(
      { alarmName: 'errors-5xx', saw: 'rate(...) = 4.2 (threshold > 1)', unreadable: false },
    );
    expect(
      parseAlarmStop(
        'deployment stopped: the state of alarm prom-up could not be read (connect ECONNREFUSED 127.0.0.1:9); with ignorePollAlarmFailure off, a deployment stops when it cannot see its alarms',
      ),
    ).toEqual({ alarmName: 'prom-up', saw: 'connect ECONNREFUSED 127.0.0.1:9', unreadable: true });
    expect(parseAlarmStop('something else')).toEqual({ alarmName: null, saw: 'something else', unreadable: false });
  });

  it('says which alarm stopped a canary and that traffic is back on the original hosts', () => {
    renderWithRouter(
      <AlarmStopBanner
        deployment={makeBlueGreenDeployment(
          { phase: 'shift', trafficOn: 'original' },
          {
            status: 'Stopped',
            errorInformation: {
              code: 'ALARM_ACTIVE',
              message: 'deployment stopped: alarm errors-5xx is in ALARM: rate(5xx) = 4.2 (threshold > 1)',
            },
          },
        )}
      />,
    );
    const banner = screen.getByRole('alert', { name: 'Why the deployment stopped' });
    expect(within(banner).getByRole('heading').textContent).toBe('■ Stopped by alarm errors-5xx');
    expect(within(banner).getByRole('link', { name: 'errors-5xx' }).getAttribute('href')).toBe('/settings/alarms');
    expect(banner.textContent).toContain('It saw: rate(5xx) = 4.2 (threshold > 1)');
    expect(banner.textContent).toContain('Traffic is on the original hosts.');
  });
});
