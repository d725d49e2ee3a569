// A failed deployment leads with its cause (event, host, script, exit code, last lines, the log one click away) and
// keeps the health arithmetic as a detail; a deployment stopped on request reads as stopped; an error no host
// explains comes with what to do.
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDeployment, makeEvent, makeTarget } from '../../../test-support/fixtures';
import { FailureSummary } from './failure-summary';
import type { CellRef } from './host-grid';

afterEach(cleanup);

const ARITHMETIC = 'HEALTH_CONSTRAINTS: 1 healthy (0 succeeded + 1 pending) − minimum 1 = 0';

const failedHost = makeTarget('web-2', 'Failed', { errorCode: 'ScriptFailed' }, [
  makeEvent('ApplicationStop', 'Succeeded'),
  makeEvent('ValidateService', 'Failed', {
    diagnostics: {
      errorCode: 'ScriptFailed',
      scriptName: 'scripts/validate.sh',
      message: 'Script at specified location: scripts/validate.sh run as user root failed with exit code 3',
      logTail:
        '[agent] ValidateService: running scripts/validate.sh\nchecking :8080\nline 2\nline 3\nline 4\nline 5\ncurl: (7) Failed to connect\n[agent] Script at specified location: scripts/validate.sh failed with exit code 3\n',
    },
  }),
]);

describe('FailureSummary', () => {
  it('leads with the failing event, host, script and exit code; the arithmetic is a detail', async () => {
    const user = userEvent.setup();
    const opened: CellRef[] = [];
    const d = makeDeployment({
      status: 'Failed',
      errorInformation: { code: 'HEALTH_CONSTRAINTS', message: ARITHMETIC },
    });
    render(
      <FailureSummary
        deployment={d}
        targets={[makeTarget('web-1', 'Succeeded'), failedHost]}
        onOpenLog={(c) => opened.push(c)}
      />,
    );
    const cause = screen.getByRole('alert', { name: 'Why the deployment failed' });
    expect(within(cause).getByRole('heading').textContent).toBe(
      '✕ ValidateService failed on web-2 (scripts/validate.sh, exit code 3)',
    );
    const item = within(within(cause).getByRole('list', { name: 'Failed hosts' })).getByRole('listitem');
    expect(item.textContent).toContain('exit code 3');
    // The script's last five lines (not the first, nor the agent's own).
    const tail = within(item).getByLabelText('Last lines of ValidateService on web-2').textContent;
    expect(tail).toBe('line 2\nline 3\nline 4\nline 5\ncurl: (7) Failed to connect');
    // The arithmetic is inside a closed <details>, after the cause.
    const details = cause.querySelector('details');
    expect(details?.open).toBe(false);
    expect(details?.textContent).toContain(ARITHMETIC);
    expect(cause.textContent?.indexOf('ValidateService')).toBeLessThan(cause.textContent?.indexOf(ARITHMETIC) ?? 0);

    await user.click(within(item).getByRole('button', { name: 'Open the full log of ValidateService on web-2' }));
    expect(opened).toEqual([{ targetId: 'web-2', eventName: 'ValidateService' }]);
  });

  it('reads a stop on request as stopped, not as a failure', () => {
    const d = makeDeployment({
      status: 'Stopped',
      errorInformation: { code: 'MANUAL_STOP', message: 'stopped on request' },
    });
    const stopped = makeTarget('web-1', 'Failed', { errorCode: 'MANUAL_STOP' }, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Skipped'),
    ]);
    render(<FailureSummary deployment={d} targets={[stopped]} onOpenLog={() => undefined} />);
    expect(screen.queryByRole('alert')).toBeNull();
    const box = screen.getByRole('status', { name: 'Why the deployment stopped' });
    expect(within(box).getByRole('heading').textContent).toBe('■ Stopped on request');
    expect(box.textContent).toContain('1 host was stopped before finishing');
    expect(box.textContent).toContain('nothing it ran failed on its own');
    expect(box.querySelector('.cause-list')).toBeNull();
  });

  it('explains an error no host log explains, with what to do', () => {
    const d = makeDeployment({
      status: 'Failed',
      errorInformation: {
        code: 'HEALTH_CONSTRAINTS_INVALID',
        message: '1 host, minimum 1 healthy: no host can be deployed to',
      },
    });
    render(<FailureSummary deployment={d} targets={[]} onOpenLog={() => undefined} />);
    const cause = screen.getByRole('alert', { name: 'Why the deployment failed' });
    expect(cause.textContent).toContain('What to do:');
    expect(cause.textContent).toContain('Register more hosts');
    expect(cause.textContent).toContain('no host can be deployed to');
  });

  it('shows nothing for a deployment without an error', () => {
    const { container } = render(
      <FailureSummary deployment={makeDeployment()} targets={[]} onOpenLog={() => undefined} />,
    );
    expect(container.textContent).toBe('');
  });
});
