import { PlanResponse } from '@drover/contracts';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MAX_BATCHES_SHOWN, MAX_HOSTS_PER_BATCH_SHOWN, PlanPreview } from './plan-preview';

const host = (name: string, online = true) => ({ instanceName: name, online, currentRevisionId: null });

function plan(over: Partial<PlanResponse>): PlanResponse {
  return PlanResponse.parse({
    ok: true,
    deploymentConfig: {
      name: 'CodeDeployDefault.HalfAtATime',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 },
    },
    hostCount: 4,
    minimumHealthyHosts: 2,
    batchSize: 2,
    requiredSuccesses: 2,
    batches: [
      [host('web-1'), host('web-2')],
      [host('web-3'), host('web-4', false)],
    ],
    explanation: '4 hosts, FLEET_PERCENT 50 → at least 2 healthy → up to 2 at a time; succeeds if ≥ 2 succeed',
    errorCode: null,
    offlineHosts: ['web-4'],
    deploymentType: 'IN_PLACE',
    blueGreen: null,
    traffic: null,
    problems: [],
    ...over,
  });
}

describe('PlanPreview', () => {
  it('shows the arithmetic and every batch with its hosts', () => {
    render(<PlanPreview plan={plan({})} />);
    expect(screen.getByText(/up to 2 at a time/)).toBeTruthy();
    const batches = within(screen.getByRole('list', { name: 'Batches' })).getAllByRole('listitem');
    expect(batches).toHaveLength(2);
    expect(within(batches[0] as HTMLElement).getByText('web-1')).toBeTruthy();
    expect(within(batches[1] as HTMLElement).getByText('web-4').className).toContain('offline');
    expect(screen.getByText('keep 50% of the fleet healthy', { exact: false })).toBeTruthy();
  });

  it('warns about offline hosts', () => {
    render(<PlanPreview plan={plan({})} />);
    expect(screen.getByRole('note').textContent).toMatch(/1 host is offline now.*web-4/);
  });

  it('explains why a plan cannot start and lists no batches', () => {
    render(
      <PlanPreview
        plan={plan({
          ok: false,
          errorCode: 'HEALTH_CONSTRAINTS_INVALID',
          explanation: '2 hosts, HOST_COUNT 2 → no host can be taken out of service',
          batches: [],
          offlineHosts: [],
        })}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/cannot start \(HEALTH_CONSTRAINTS_INVALID\)/);
    expect(alert.textContent).toMatch(/no host can be taken out of service/);
    expect(screen.queryByRole('list', { name: 'Batches' })).toBeNull();
  });

  it('keeps huge plans readable: caps batches and hosts per batch', () => {
    const big = Array.from({ length: 20 }, (_, b) => Array.from({ length: 100 }, (_, h) => host(`h-${b}-${h}`)));
    render(<PlanPreview plan={plan({ batches: big, hostCount: 2000, offlineHosts: [] })} />);
    const items = within(screen.getByRole('list', { name: 'Batches' })).getAllByRole('listitem');
    expect(items).toHaveLength(MAX_BATCHES_SHOWN);
    expect(within(items[0] as HTMLElement).getByText(`+${100 - MAX_HOSTS_PER_BATCH_SHOWN} more`)).toBeTruthy();
    expect(screen.getByText(/and 8 more batches \(\s*800 hosts\)/)).toBeTruthy();
  });
});
