import type { DeploymentInfo, MeResponse } from '@drover/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authKeys } from '../../api/auth/keys';
import { setCsrfToken } from '../../api/client';
import { apiError, reply, stubApiCalls } from '../../../test-support/fake-api';
import { makeBlueGreenDeployment } from '../../../test-support/fixtures';
import { BlueGreenPanel } from './blue-green-panel';

const NOW = Date.parse('2026-08-14T12:30:00.000Z');
const inMs = (ms: number) => new Date(NOW + ms).toISOString();

type Traffic = NonNullable<NonNullable<DeploymentInfo['blueGreen']>['traffic']>;
const CANARY: Traffic = {
  steps: [20, 100],
  intervalSeconds: 300,
  percent: 20,
  settingPercent: null,
  nextStepAt: inMs(125_000),
  nextPercent: 100,
  promoteRequested: false,
};

const shifting = (t: Partial<Traffic> = {}, over: Partial<DeploymentInfo> = {}) =>
  makeBlueGreenDeployment(
    { phase: 'shift', trafficOn: 'both', traffic: { ...CANARY, ...t } },
    { previousRevisionId: '33333333-3333-4333-8333-333333333333', ...over },
  );

function renderPanel(d: DeploymentInfo, role: MeResponse['role'] = 'deployer') {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(authKeys.me(), { kind: 'user', role, user: null, token: null, csrfToken: 'csrf-1' });
  render(
    <QueryClientProvider client={qc}>
      <BlueGreenPanel deployment={d} />
    </QueryClientProvider>,
  );
}

const shiftGroup = () => screen.getByRole('group', { name: /Traffic shift/ });
const planSteps = () =>
  within(screen.getByRole('list', { name: 'Traffic plan' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  setCsrfToken('csrf-1');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('canary/linear traffic in the blue/green panel', () => {
  it('shows the split in words, the plan with the current step, and the shift step in the stepper', () => {
    renderPanel(shifting());
    expect(screen.getByLabelText('Traffic split').textContent).toBe('20 % replacement / 80 % original');
    expect(screen.getByText('Traffic: 20 % replacement / 80 % original')).toBeTruthy();
    expect(planSteps()).toEqual(['● Step 1: 20 % (current step)', '○ Step 2: 100 % (not started)']);
    expect(shiftGroup().querySelector('[aria-current="step"]')?.textContent).toContain('Step 1: 20 %');
    expect(shiftGroup().querySelector<HTMLElement>('.split-replacement')?.style.width).toBe('20%');
    const stepper = within(screen.getByRole('list', { name: 'Blue/green progress' }))
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(stepper).toEqual([
      '✓Install replacement (done)',
      '✓Ready (done)',
      '✓Reroute (done)',
      '●Shift traffic20 % on replacement',
      '○Block original (not started)',
      '○Terminate wait (not started)',
      '○Done (not started)',
    ]);
  });

  it('counts down to the next step, live', async () => {
    renderPanel(shifting());
    const timer = within(shiftGroup()).getByRole('timer');
    expect(timer.textContent).toBe('2 m 05 s');
    expect(shiftGroup().textContent).toContain('Next: 100 % in 2 m 05 s');
    vi.setSystemTime(NOW + 65_000);
    await act(() => new Promise((r) => setTimeout(r, 1_100)));
    expect(within(shiftGroup()).getByRole('timer').textContent).toBe('1 m 00 s');
  });

  it('says "setting N %…" while a step is applied, and marks that step', () => {
    renderPanel(shifting({ percent: 20, settingPercent: 100, nextStepAt: null, nextPercent: null }));
    const statuses = within(shiftGroup())
      .getAllByRole('status')
      .map((s) => s.textContent);
    expect(statuses).toContain('Setting 100 %… the balancers are being given the new weights.');
    expect(planSteps()[1]).toBe('◐ Step 2: 100 % (being set)');
    expect(within(shiftGroup()).queryByRole('timer')).toBeNull();
  });

  it('reads 0 % before the first step is set', () => {
    renderPanel(
      makeBlueGreenDeployment({
        phase: 'allow',
        trafficOn: 'both',
        traffic: { ...CANARY, percent: null, nextStepAt: null, nextPercent: null },
      }),
    );
    expect(screen.getByLabelText('Traffic split').textContent).toBe(
      '0 % replacement / 100 % original (the first step is not set yet)',
    );
  });

  it('asks before promoting, saying what is skipped, then POSTs …/promote', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'POST /v1/deployments/d-ABCDEF123/promote': shifting({ promoteRequested: true }),
      'GET /v1/deployments/d-ABCDEF123': shifting({ promoteRequested: true }),
    });
    renderPanel(shifting());
    await user.click(screen.getByRole('button', { name: 'Promote now' }));
    const dialog = screen.getByRole('dialog', { name: 'Promote now?' });
    expect(dialog.textContent).toContain('The remaining steps (100 %) and the bake time are skipped');
    expect(calls).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Promote now' }));
    await vi.waitFor(() => expect(dialog.isConnected).toBe(false));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe('/v1/deployments/d-ABCDEF123/promote');
    expect(post?.body).toEqual({});
  });

  it('keeps the dialog open with the API’s refusal', async () => {
    const user = userEvent.setup();
    stubApiCalls({
      'POST /v1/deployments/d-ABCDEF123/promote': reply(
        409,
        apiError('DeploymentIsNotShiftingTraffic', 'deployment d-ABCDEF123 already moved all traffic (block)'),
      ),
    });
    renderPanel(shifting());
    await user.click(screen.getByRole('button', { name: 'Promote now' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Promote now' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'deployment d-ABCDEF123 already moved all traffic (block)',
    );
  });

  it('rolls back through stop with rollback', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'POST /v1/deployments/d-ABCDEF123/stop': { status: 'Pending', statusMessage: 'stopping' },
    });
    renderPanel(shifting());
    await user.click(screen.getByRole('button', { name: 'Roll back' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll back this deployment?' });
    expect(dialog.textContent).toContain('all traffic goes back to the original hosts at once');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.url).toBe('/v1/deployments/d-ABCDEF123/stop'),
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ autoRollbackEnabled: true });
  });

  it('disables promote for a viewer and once promote was asked, saying why', () => {
    renderPanel(shifting(), 'viewer');
    const promote = screen.getByRole('button', { name: 'Promote now' });
    expect(promote).toHaveProperty('disabled', true);
    expect(document.getElementById(promote.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'Needs the deployer or admin role.',
    );
  });

  it('says promote was requested instead of counting down', () => {
    renderPanel(shifting({ promoteRequested: true }));
    expect(screen.getByRole('button', { name: 'Promote now' })).toHaveProperty('disabled', true);
    expect(shiftGroup().textContent).toContain('Promote requested: all traffic moves to the replacement hosts next.');
    expect(within(shiftGroup()).queryByRole('timer')).toBeNull();
  });

  it('shows no actions once the deployment ended', () => {
    renderPanel(shifting({ percent: 0 }, { status: 'Stopped' }));
    expect(screen.queryByRole('button', { name: 'Promote now' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Roll back' })).toBeNull();
    expect(screen.getByLabelText('Traffic split').textContent).toBe('0 % replacement / 100 % original');
  });
});
