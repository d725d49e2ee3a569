import type { DeploymentInfo, MeResponse } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authKeys } from '../../api/auth/keys';
import { setCsrfToken } from '../../api/client';
import { apiError, reply, stubApiCalls, type ApiCall } from '../../../test-support/fake-api';
import { makeBlueGreenDeployment } from '../../../test-support/fixtures';
import { BlueGreenPanel } from './blue-green-panel';

const NOW = Date.parse('2026-08-14T12:30:00.000Z');
const inMs = (ms: number) => new Date(NOW + ms).toISOString();

function renderPanel(d: DeploymentInfo, role: MeResponse['role'] = 'deployer') {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(authKeys.me(), { kind: 'user', role, user: null, token: null, csrfToken: 'csrf-1' });
  render(
    <QueryClientProvider client={qc}>
      <BlueGreenPanel deployment={d} />
    </QueryClientProvider>,
  );
}

const ready = (over: Parameters<typeof makeBlueGreenDeployment>[0] = {}) =>
  makeBlueGreenDeployment({ phase: 'ready', readyWaitEndsAt: inMs(245_000), ...over }, { status: 'Ready' });
const terminating = () =>
  makeBlueGreenDeployment(
    { phase: 'termination', trafficOn: 'replacement', terminationAt: inMs(3_600_000 + 5 * 60_000) },
    { status: 'InProgress' },
  );

let calls: ApiCall[] = [];
beforeEach(() => {
  // Only the clock is faked: the countdown reads Date.now(); timers (and userEvent) run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  setCsrfToken('csrf-1');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const steps = () =>
  within(screen.getByRole('list', { name: 'Blue/green progress' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent);

describe('BlueGreenPanel', () => {
  it('shows the phase as steps and where traffic is while the replacement installs', () => {
    renderPanel(makeBlueGreenDeployment({ phase: 'install' }));
    expect(screen.getByText('Traffic: original hosts')).toBeTruthy();
    expect(steps()).toEqual([
      '●Install replacementcurrent step',
      '○Ready (not started)',
      '○Reroute (not started)',
      '○Block original (not started)',
      '○Terminate wait (not started)',
      '○Done (not started)',
    ]);
    const current = screen.getByRole('list', { name: 'Blue/green progress' }).querySelector('[aria-current="step"]');
    expect(current?.textContent).toContain('Install replacement');
    expect(screen.queryByRole('button', { name: 'Reroute traffic' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Terminate original now' })).toBeNull();
  });

  it('words traffic on the move and on the replacement hosts', () => {
    renderPanel(makeBlueGreenDeployment({ phase: 'allow', trafficOn: 'both' }));
    expect(screen.getByText('Traffic: moving')).toBeTruthy();
    expect(steps()[2]).toBe('●Reroutecurrent step');
  });

  it('counts down the ready wait and says what happens when it runs out', () => {
    renderPanel(ready());
    const wait = screen.getByRole('group', { name: /Ready: the replacement hosts are installed/ });
    expect(within(wait).getByRole('timer').textContent).toBe('4 m 05 s');
    expect(wait.textContent).toContain(
      'If nobody reroutes traffic by then, the deployment stops and traffic stays on the original hosts.',
    );
    expect(screen.getByRole('button', { name: 'Reroute traffic' })).toHaveProperty('disabled', false);
  });

  it('says when the ready wait is over', () => {
    renderPanel(ready({ readyWaitEndsAt: inMs(-1_000) }));
    expect(screen.getByText(/The ready wait has ended: the deployment is stopping/)).toBeTruthy();
  });

  it('asks before rerouting, then continues the READY_WAIT', async () => {
    const user = userEvent.setup();
    calls = stubApiCalls({
      'POST /v1/deployments/d-ABCDEF123/continue': makeBlueGreenDeployment({ phase: 'allow', trafficOn: 'both' }),
    });
    renderPanel(ready());
    await user.click(screen.getByRole('button', { name: 'Reroute traffic' }));
    const dialog = screen.getByRole('dialog', { name: 'Reroute traffic to the replacement hosts?' });
    expect(calls).toHaveLength(0);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Reroute traffic' }));
    await vi.waitFor(() => expect(dialog.isConnected).toBe(false));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe('/v1/deployments/d-ABCDEF123/continue');
    expect(post?.body).toEqual({ deploymentWaitType: 'READY_WAIT' });
    expect(screen.getByRole('status').textContent).toMatch(/Reroute requested/);
  });

  it('shows the API’s refusal as it is, keeping the dialog open', async () => {
    const user = userEvent.setup();
    stubApiCalls({
      'POST /v1/deployments/d-ABCDEF123/continue': reply(
        409,
        apiError('DeploymentNotWaiting', 'deployment d-ABCDEF123 is not waiting in Ready (it is InProgress)'),
      ),
    });
    renderPanel(ready());
    await user.click(screen.getByRole('button', { name: 'Reroute traffic' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Reroute traffic' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'deployment d-ABCDEF123 is not waiting in Ready (it is InProgress)',
    );
  });

  it('offers to terminate the original hosts during the termination wait (TERMINATION_WAIT)', async () => {
    const user = userEvent.setup();
    calls = stubApiCalls({ 'POST /v1/deployments/d-ABCDEF123/continue': terminating() });
    renderPanel(terminating());
    expect(screen.getByText('Traffic: replacement hosts')).toBeTruthy();
    const wait = screen.getByRole('group', { name: 'Waiting to terminate the original hosts' });
    expect(within(wait).getByRole('timer').textContent).toBe('1 h 05 m');
    await user.click(within(wait).getByRole('button', { name: 'Terminate original now' }));
    const dialog = screen.getByRole('dialog', { name: 'Terminate the original hosts now?' });
    await user.click(within(dialog).getByRole('button', { name: 'Terminate original now' }));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ deploymentWaitType: 'TERMINATION_WAIT' }),
    );
  });

  it('disables both waits for a viewer, saying why', () => {
    renderPanel(ready(), 'viewer');
    const reroute = screen.getByRole('button', { name: 'Reroute traffic' });
    expect(reroute).toHaveProperty('disabled', true);
    const reason = document.getElementById(reroute.getAttribute('aria-describedby') ?? '');
    expect(reason?.textContent).toBe('Needs the deployer or admin role.');
    expect(reason?.className).not.toContain('visually-hidden');
  });

  it('says a rollback returns traffic to the original hosts', () => {
    renderPanel(
      makeBlueGreenDeployment({ phase: 'allow', trafficOn: 'both', isRollback: true }, { creator: 'rollback' }),
    );
    expect(screen.getByText('Rolling back: traffic returns to the original hosts.')).toBeTruthy();
    expect(steps()).toEqual([
      '●Return traffic to originalcurrent step',
      '○Block replacement (not started)',
      '○Done (not started)',
    ]);
  });

  it('renders nothing for an in-place deployment', () => {
    renderPanel(makeBlueGreenDeployment({}, { blueGreen: null }));
    expect(screen.queryByRole('heading', { name: 'Blue/green' })).toBeNull();
  });
});
