// Deployment configs in the console: listed in words, viewed, created with a live batch preview (the request carries
// the minimum, traffic routing and zonal settings as the contract has them), custom ones deleted, predefined ones not.
import { DeploymentConfigInfo } from '@drover/contracts';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, reply, stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { DeploymentConfigs, previewBatches } from './deployment-configs';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const config = (name: string, over: Partial<DeploymentConfigInfo> = {}) =>
  DeploymentConfigInfo.parse({
    deploymentConfigId: `id-${name}`,
    deploymentConfigName: name,
    minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 },
    computePlatform: 'Server',
    trafficRoutingConfig: null,
    zonalConfig: null,
    predefined: false,
    createTime: '2026-08-01T09:00:00.000Z',
    ...over,
  });

const LIST = {
  items: [
    config('OneAtATime', { predefined: true, minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 } }),
    config('HalfAtATime', { predefined: true }),
    config('NinetyPercent', {
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 90 },
      trafficRoutingConfig: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } },
    }),
  ],
  nextCursor: null,
};

describe('previewBatches', () => {
  it('follows the engine: the percentage rounds up, batch = hosts − minimum', () => {
    expect(previewBatches({ type: 'FLEET_PERCENT', value: 75 }, 10)).toEqual({ ok: true, batches: [2, 2, 2, 2, 2] });
    expect(previewBatches({ type: 'HOST_COUNT', value: 0 }, 4)).toEqual({ ok: true, batches: [4] });
    expect(previewBatches({ type: 'HOST_COUNT', value: 2 }, 5)).toEqual({ ok: true, batches: [3, 2] });
    expect(previewBatches({ type: 'FLEET_PERCENT', value: 95 }, 10)).toMatchObject({ ok: false });
  });
});

describe('Settings › Deployment configs', () => {
  it('lists configs in words; predefined ones cannot be deleted; a custom one can', async () => {
    const calls = stubApiCalls({
      '/v1/deployment-configs': LIST,
      'DELETE /v1/deployment-configs/NinetyPercent': reply(204),
    });
    const user = userEvent.setup();
    renderPage('/settings/deployment-configs', '/settings/deployment-configs', <DeploymentConfigs />, 'deployer');
    const row = (name: string) => screen.getByRole('row', { name: new RegExp(`^${name}`) });
    await screen.findByRole('button', { name: 'NinetyPercent' });
    expect(row('OneAtATime').textContent).toContain('one host at a time');
    expect(row('OneAtATime').textContent).toContain('predefined (read-only)');
    expect(within(row('HalfAtATime')).queryByRole('button', { name: /Delete/ })).toBeNull();
    expect(row('NinetyPercent').textContent).toContain('at least 90% of the hosts stay healthy');
    expect(row('NinetyPercent').textContent).toContain('canary: 10%, the rest after 5 min');

    await user.click(screen.getByRole('button', { name: 'NinetyPercent' }));
    const view = screen.getByRole('dialog', { name: 'Configuration NinetyPercent' });
    expect(view.textContent).toContain('FLEET_PERCENT 90');
    expect(view.textContent).toContain('batches of 1, 1, 1, 1, 1, 1, 1, 1, 1, 1');
    await user.click(within(view).getByRole('button', { name: 'Close' }));

    await user.click(within(row('NinetyPercent')).getByRole('button', { name: 'Delete NinetyPercent' }));
    await user.click(screen.getByRole('button', { name: 'Delete configuration' }));
    await vi.waitFor(() =>
      expect(calls.some((c) => c.method === 'DELETE' && c.url === '/v1/deployment-configs/NinetyPercent')).toBe(true),
    );
  });

  it('creates one with a live preview, traffic routing and zonal settings; a refused value shows at its field', async () => {
    let refuse = true;
    const calls = stubApiCalls({
      '/v1/deployment-configs': LIST,
      'POST /v1/deployment-configs': () =>
        refuse
          ? reply(
              400,
              apiError('InvalidDeploymentConfig', 'body.minimumHealthyHosts.value: FLEET_PERCENT must be 0 to 99', {
                issues: [
                  {
                    field: 'body.minimumHealthyHosts.value',
                    reason: 'FLEET_PERCENT must be a whole percentage from 0 to 99',
                  },
                ],
              }),
            )
          : reply(201, config('SeventyFive')),
    });
    const user = userEvent.setup();
    renderPage('/settings/deployment-configs', '/settings/deployment-configs', <DeploymentConfigs />, 'deployer');
    await user.type(await screen.findByLabelText(/^Name/), 'SeventyFive');
    const pct = screen.getByLabelText('Percentage (0–99)');
    await user.clear(pct);
    await user.type(pct, '75');
    expect(screen.getByRole('status', { name: 'Preview' }).textContent).toContain('5 batches (2, 2, 2, 2, 2)');
    await user.selectOptions(screen.getByLabelText('Routing'), 'TimeBasedLinear');
    await user.click(screen.getByText('Zonal rollout (optional)'));
    await user.type(screen.getByLabelText('Watch the first zone (seconds)'), '600');

    await user.click(screen.getByRole('button', { name: 'Create configuration' }));
    const field = await screen.findByText('FLEET_PERCENT must be a whole percentage from 0 to 99');
    expect(field.className).toBe('field-error');
    // Said once: next to the field, not again in the form's error box.
    expect(screen.getAllByText(/FLEET_PERCENT must be/)).toHaveLength(1);

    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Create configuration' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'POST')[1]?.body).toEqual({
      deploymentConfigName: 'SeventyFive',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 75 },
      computePlatform: 'Server',
      trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 5 } },
      zonalConfig: { firstZoneMonitorDurationInSeconds: 600 },
    });
  });
});
