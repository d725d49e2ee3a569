import { screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import {
  makeBalancerStatus,
  makeBlueGreenDeployment,
  makeDeployment,
  makeServer,
  makeSideTarget,
  makeTarget,
} from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { DeploymentPage } from './deployment-page';

const ID = 'd-ABCDEF123';
const waiting = makeBlueGreenDeployment(
  { phase: 'ready', readyWaitEndsAt: '2099-01-01T00:00:00.000Z' },
  { status: 'Ready', deploymentOverview: { Pending: 2, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 2 } },
);
const targets = [
  makeSideTarget('web-1', 'Blue', 'Pending'),
  makeSideTarget('web-2', 'Blue', 'Pending'),
  makeSideTarget('web-3', 'Green', 'Ready'),
  makeSideTarget('web-4', 'Green', 'Ready'),
];

// happy-dom does no layout; give the grids' scroll viewports a box so the virtualiser renders rows.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterAll(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

const gridRow = (grid: HTMLElement, host: string) =>
  within(grid).getByRole('rowheader', { name: host }).closest('[role="row"]') as HTMLElement;

describe('deployment page, blue/green', () => {
  it('shows the original and replacement hosts side by side, each with what the balancer says about it', async () => {
    const asked = stubApi({
      [`/v1/deployments/${ID}`]: waiting,
      [`/v1/deployments/${ID}/targets`]: { items: targets, nextCursor: null },
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', [
        makeServer('web-1', { sessions: 3 }),
        makeServer('web-2', { status: 'DRAIN', adminState: 'drain', sessions: 1 }),
        makeServer('web-3', { status: 'MAINT', adminState: 'maint', health: 'unknown', weight: 0 }),
        makeServer('web-4', { status: 'MAINT', adminState: 'maint', health: 'unknown', weight: 0 }),
        makeServer('other', { backend: 'api', instanceName: 'web-1' }),
      ]),
    });
    renderPage('/deployments/:deploymentId', `/deployments/${ID}`, <DeploymentPage />, 'deployer');

    const original = await screen.findByRole('grid', { name: 'Original hosts by lifecycle event' });
    const replacement = screen.getByRole('grid', { name: 'Replacement hosts by lifecycle event' });
    expect(
      within(original)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['web-1', 'web-2']);
    expect(
      within(replacement)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['web-3', 'web-4']);
    // Each side's grid has only its own events: the originals only leave traffic, the replacement installs and joins.
    expect(
      within(original)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toContain('BlockTraffic');
    expect(
      within(original)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).not.toContain('Install');
    expect(
      within(replacement)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toContain('AllowTraffic');

    // The sides say whether they serve; the panel says where traffic is and offers the reroute.
    expect(screen.getByRole('region', { name: /Original hosts/ }).textContent).toContain('serving traffic');
    expect(screen.getByRole('region', { name: /Replacement hosts/ }).textContent).toContain('no traffic');
    expect(screen.getByText('Traffic: original hosts')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reroute traffic' })).toBeTruthy();
    // The header's generic Continue gives way to the panel's buttons, which say which wait they end.
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();

    // The balancer's view, next to each host: the status word, sessions and weight (only the deployment's backend).
    await waitFor(() => expect(gridRow(original, 'web-1').textContent).toContain('UP'));
    expect(gridRow(original, 'web-1').textContent).toContain('3 sess · w100');
    expect(gridRow(original, 'web-1').textContent).not.toContain('+1');
    expect(gridRow(original, 'web-2').textContent).toContain('DRAIN');
    expect(gridRow(replacement, 'web-3').textContent).toContain('MAINT');
    expect(gridRow(replacement, 'web-3').textContent).toContain('edge / web / web-3: MAINT, health unknown');
    expect(screen.getByRole('list', { name: 'Load balancers of this deployment' }).textContent).toContain(
      'edge backend web · 4 servers',
    );
    expect(asked).toContain('/v1/load-balancers/edge/servers');
  });

  it('says plainly when the balancer cannot be read', async () => {
    stubApi({
      [`/v1/deployments/${ID}`]: waiting,
      [`/v1/deployments/${ID}/targets`]: { items: targets, nextCursor: null },
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', [], {
        reachable: false,
        error: 'connect ENOENT /run/haproxy/admin.sock',
      }),
    });
    renderPage('/deployments/:deploymentId', `/deployments/${ID}`, <DeploymentPage />);
    const readings = await screen.findByRole('list', { name: 'Load balancers of this deployment' });
    await waitFor(() => expect(readings.textContent).toContain('unreachable: connect ENOENT /run/haproxy/admin.sock'));
    const original = screen.getByRole('grid', { name: 'Original hosts by lifecycle event' });
    expect(gridRow(original, 'web-1').textContent).toContain('balancer unreadable');
  });

  it('keeps one grid, with no balancer column, for an in-place deployment without traffic control', async () => {
    const asked = stubApi({
      [`/v1/deployments/${ID}`]: makeDeployment(),
      [`/v1/deployments/${ID}/targets`]: { items: [makeTarget('web-1', 'InProgress')], nextCursor: null },
    });
    renderPage('/deployments/:deploymentId', `/deployments/${ID}`, <DeploymentPage />);
    const grid = await screen.findByRole('grid', { name: 'Hosts by lifecycle event' });
    await waitFor(() => expect(within(grid).getAllByRole('rowheader')).toHaveLength(1));
    expect(within(grid).queryByRole('columnheader', { name: 'Load balancer' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Blue/green' })).toBeNull();
    expect(asked.some((u) => u.startsWith('/v1/load-balancers'))).toBe(false);
  });
});
