// The phone's host list: problems first, each host with the event that matters and a tap to its log.
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEvent, makeTarget } from '../../../test-support/fixtures';
import type { CellRef } from './host-grid';
import { HostList } from './host-list';

afterEach(cleanup);

describe('HostList (phone width)', () => {
  it('puts the failed host first with its failed event, script and a link to its log', async () => {
    const user = userEvent.setup();
    const opened: CellRef[] = [];
    const targets = [
      makeTarget('web-1', 'Succeeded'),
      makeTarget('web-2', 'Failed', { errorCode: 'ScriptFailed' }, [
        makeEvent('ApplicationStop', 'Succeeded'),
        makeEvent('ValidateService', 'Failed', {
          diagnostics: { errorCode: 'ScriptFailed', scriptName: 'scripts/validate.sh', message: null, logTail: null },
        }),
      ]),
      makeTarget('web-3', 'InProgress', {}, [
        makeEvent('ApplicationStop', 'Succeeded'),
        makeEvent('Install', 'InProgress'),
      ]),
    ];
    render(<HostList targets={targets} onOpen={(c) => opened.push(c)} />);
    const items = within(screen.getByRole('list', { name: 'Hosts' })).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.host-list-name')?.textContent)).toEqual(['web-2', 'web-3', 'web-1']);
    expect(items[0]?.textContent).toContain('Failed');
    expect(items[0]?.textContent).toContain('✕ ValidateService failed · scripts/validate.sh');
    expect(items[1]?.textContent).toContain('▶ Install running');
    expect(items[2]?.textContent).toContain('✓ ValidateService succeeded');
    await user.click(within(items[0] as HTMLElement).getByRole('button', { name: 'Log of ValidateService on web-2' }));
    expect(opened).toEqual([{ targetId: 'web-2', eventName: 'ValidateService' }]);
  });

  it('shows 50 hosts at a time', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 120 }, (_, i) => makeTarget(`h-${String(i).padStart(3, '0')}`, 'Succeeded'));
    render(<HostList targets={many} onOpen={() => undefined} />);
    expect(screen.getAllByRole('listitem')).toHaveLength(50);
    await user.click(screen.getByRole('button', { name: 'Show 50 more of 70' }));
    expect(screen.getAllByRole('listitem')).toHaveLength(100);
  });
});
