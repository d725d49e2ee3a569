import type { DeploymentInfo, TrafficShiftInfo } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeBlueGreenDeployment } from '../../../test-support/fixtures';
import { TrafficSteps } from './traffic-steps';

const SHIFTS = '/v1/deployments/d-ABCDEF123/traffic-shifts';

const shift = (over: Partial<TrafficShiftInfo>): TrafficShiftInfo => ({
  percent: 20,
  achievedPercent: 20,
  reason: 'step',
  startTime: '2026-08-14T12:05:00.000Z',
  endTime: '2026-08-14T12:05:01.500Z',
  ok: true,
  message: null,
  log: '',
  ...over,
});

const deployment = (percent: number | null, settingPercent: number | null = null): DeploymentInfo =>
  makeBlueGreenDeployment({
    phase: 'shift',
    trafficOn: 'both',
    traffic: {
      steps: [20, 100],
      intervalSeconds: 60,
      percent,
      settingPercent,
      nextStepAt: null,
      nextPercent: null,
      promoteRequested: false,
    },
  });

function setup(d: DeploymentInfo) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrap = (node: ReactNode) => (
    <QueryClientProvider client={qc}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>
  );
  const r = render(wrap(<TrafficSteps deployment={d} />));
  return { rerender: (next: DeploymentInfo) => r.rerender(wrap(<TrafficSteps deployment={next} />)) };
}

const rows = () =>
  within(screen.getByRole('table'))
    .getAllByRole('row')
    .slice(1)
    .map((r) =>
      within(r)
        .getAllByRole('cell')
        .slice(0, 2)
        .map((c) => c.textContent),
    );

afterEach(() => vi.unstubAllGlobals());

describe('Traffic steps', () => {
  it('lists each step with its percent, reason and result, and opens the balancer log', async () => {
    const user = userEvent.setup();
    stubApi({
      [SHIFTS]: {
        items: [
          shift({ log: 'set server web/green-1 weight 20\n' }),
          shift({
            percent: 0,
            reason: 'alarm',
            achievedPercent: 0,
            startTime: '2026-08-14T12:06:00.000Z',
            ok: false,
            message: 'edge: socket refused',
          }),
          shift({ percent: 100, reason: 'promote', endTime: null, ok: null, achievedPercent: null }),
        ],
      },
    });
    setup(deployment(20));
    await screen.findByRole('table');
    expect(rows()).toEqual([
      ['20 % replacement', 'plan step'],
      ['0 % replacement', 'alarm: traffic back'],
      ['100 % replacement', 'promote now'],
    ]);
    const [, first, second, third] = screen.getAllByRole('row');
    expect(first?.textContent).toContain('set');
    expect(second?.textContent).toContain('failed');
    expect(second?.textContent).toContain('edge: socket refused');
    expect(third?.textContent).toContain('setting…');
    const log = within(first!).getByText('set server web/green-1 weight 20', { exact: false });
    expect(log.closest('details')?.open).toBe(false);
    await user.click(within(first!).getByText('Log'));
    expect(log.closest('details')?.open).toBe(true);
  });

  it('reads the steps again when the deployment changes, not on every render', async () => {
    let served = [shift({})];
    const asked = stubApi({ [SHIFTS]: () => ({ items: served }) });
    const { rerender } = setup(deployment(20));
    await screen.findByRole('table');
    expect(asked.filter((u) => u === SHIFTS)).toHaveLength(1);
    rerender(deployment(20));
    served = [shift({}), shift({ percent: 100, ok: null, endTime: null })];
    rerender(deployment(20, 100));
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(asked.filter((u) => u === SHIFTS)).toHaveLength(2);
  });

  it('says when no step has been set yet', async () => {
    stubApi({ [SHIFTS]: { items: [] } });
    setup(deployment(null));
    expect(await screen.findByText('No traffic step yet.')).toBeTruthy();
  });
});
