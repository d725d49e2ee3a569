// The deployment page of a canary an alarm stopped: the banner names the alarm and what it saw (not "Stopped on
// request"), and the page carries the Traffic steps and Alarms sections read from their own endpoints.
import { screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeBalancerStatus, makeBlueGreenDeployment, makeSideTarget } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { DeploymentPage } from './deployment-page';

const ID = 'd-ABCDEF123';
const stopped = makeBlueGreenDeployment(
  {
    phase: 'shift',
    trafficOn: 'original',
    traffic: {
      steps: [20, 100],
      intervalSeconds: 10,
      percent: 0,
      settingPercent: null,
      nextStepAt: null,
      nextPercent: null,
      promoteRequested: false,
    },
  },
  {
    status: 'Stopped',
    completeTime: '2026-08-14T12:01:00.000Z',
    errorInformation: {
      code: 'ALARM_ACTIVE',
      message: 'deployment stopped: alarm errors-5xx is in ALARM: rate(5xx) = 4.2 (threshold > 1)',
    },
    alarms: {
      enabled: true,
      ignorePollAlarmFailure: false,
      alarmNames: ['errors-5xx'],
      bakeTimeInSeconds: 30,
      overridden: false,
      bakeEndsAt: null,
    },
  },
);

beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterAll(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

describe('deployment page, canary stopped by an alarm', () => {
  it('says which alarm stopped it and shows the traffic steps and alarm runs', async () => {
    stubApi({
      [`/v1/deployments/${ID}`]: stopped,
      [`/v1/deployments/${ID}/targets`]: {
        items: [makeSideTarget('web-1', 'Blue', 'Skipped'), makeSideTarget('web-2', 'Green', 'Succeeded')],
        nextCursor: null,
      },
      '/v1/load-balancers/edge/servers': makeBalancerStatus('edge', []),
      [`/v1/deployments/${ID}/traffic-shifts`]: {
        items: [
          {
            percent: 20,
            achievedPercent: 20,
            reason: 'step',
            startTime: '2026-08-14T12:00:10.000Z',
            endTime: '2026-08-14T12:00:10.200Z',
            ok: true,
            message: null,
            log: 'set weight web/web-2 20\n',
          },
          {
            percent: 0,
            achievedPercent: 0,
            reason: 'alarm',
            startTime: '2026-08-14T12:00:15.000Z',
            endTime: '2026-08-14T12:00:15.100Z',
            ok: true,
            message: null,
            log: '',
          },
        ],
      },
      [`/v1/deployments/${ID}/alarm-checks`]: {
        items: [
          {
            alarmName: 'errors-5xx',
            state: 'ALARM',
            detail: 'rate(5xx) = 4.2 (threshold > 1)',
            value: 4.2,
            firstTime: '2026-08-14T12:00:14.000Z',
            lastTime: '2026-08-14T12:00:14.000Z',
            count: 1,
          },
        ],
      },
    });
    renderPage('/deployments/:deploymentId', `/deployments/${ID}`, <DeploymentPage />, 'deployer');

    const banner = await screen.findByRole('alert', { name: 'Why the deployment stopped' });
    expect(within(banner).getByRole('heading').textContent).toBe('■ Stopped by alarm errors-5xx');
    expect(banner.textContent).toContain('It saw: rate(5xx) = 4.2 (threshold > 1)');
    expect(screen.queryByText('Stopped on request')).toBeNull();

    const steps = screen.getByRole('region', { name: 'Traffic steps' });
    expect(await within(steps).findByText('alarm: traffic back')).toBeTruthy();
    const alarms = screen.getByRole('region', { name: 'Alarms' });
    expect(await within(alarms).findByText('In alarm')).toBeTruthy();
    expect(screen.getByLabelText('Traffic split').textContent).toBe('0 % replacement / 100 % original');
  });
});
