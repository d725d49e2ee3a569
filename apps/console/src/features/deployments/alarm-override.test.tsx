// The deploy form's alarm override: offered only when the chosen group watches alarms, off by default, warns that it
// is audited, and sends overrideAlarmConfiguration {enabled: false, alarms: []} when chosen.
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApiCalls } from '../../../test-support/fake-api';
import { makeDeployment, makeGroup, makePlan, makeRevision } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { CreateDeploymentPage } from './create-deployment-page';

const REV = '11111111-aaaa-4aaa-8aaa-111111111111';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const routes = (alarmConfiguration: ReturnType<typeof makeGroup>['alarmConfiguration']) => ({
  '/v1/applications/shop/deployment-groups': { items: [makeGroup({ alarmConfiguration })], nextCursor: null },
  '/v1/applications/shop/revisions': { items: [makeRevision(REV, 'a1')], nextCursor: null },
  '/v1/deployment-configs': { items: [], nextCursor: null },
  'POST /v1/deployments/plan': makePlan(),
  'POST /v1/deployments': makeDeployment({ deploymentId: 'd-NEW000001' }),
});

const WATCHED = {
  enabled: true,
  ignorePollAlarmFailure: false,
  alarms: [{ name: 'errors-5xx' }],
  bakeTimeInSeconds: 60,
};

const start = () => screen.getByRole('button', { name: 'Start deployment' }) as HTMLButtonElement;
const posted = (calls: ReturnType<typeof stubApiCalls>) =>
  calls.find((c) => c.method === 'POST' && c.url === '/v1/deployments')?.body as Record<string, unknown> | undefined;

describe('Create deployment: override the group’s alarms', () => {
  it('is off by default and sends no override', async () => {
    const calls = stubApiCalls(routes(WATCHED));
    const user = userEvent.setup();
    renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');
    const box = await screen.findByRole('checkbox', { name: /Override the group's alarms for this deployment/ });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/The group watches errors-5xx/)).toBeTruthy();
    await vi.waitFor(() => expect(start().disabled).toBe(false));
    await user.click(start());
    await vi.waitFor(() => expect(posted(calls)).toBeTruthy());
    expect(posted(calls)).not.toHaveProperty('overrideAlarmConfiguration');
  });

  it('warns that ignoring alarms is audited, and sends {enabled: false, alarms: []}', async () => {
    const calls = stubApiCalls(routes(WATCHED));
    const user = userEvent.setup();
    renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');
    await user.click(await screen.findByRole('checkbox', { name: /Override the group's alarms/ }));
    expect(screen.getByRole('note').textContent).toMatch(/recorded in the audit log/);
    await vi.waitFor(() => expect(start().disabled).toBe(false));
    await user.click(start());
    await vi.waitFor(() => expect(posted(calls)).toBeTruthy());
    expect(posted(calls)?.overrideAlarmConfiguration).toMatchObject({ enabled: false, alarms: [] });
  });

  it('is not offered for a group that watches no alarm', async () => {
    stubApiCalls(routes(null));
    renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');
    await vi.waitFor(() => expect(start().disabled).toBe(false));
    expect(screen.queryByRole('checkbox', { name: /Override the group's alarms/ })).toBeNull();
  });
});
