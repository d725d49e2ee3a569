import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STOPPED_NOW_MESSAGE } from '@drover/contracts';
import { makeEvent, makeTarget } from '../../../test-support/fixtures';
import { NO_FILTER, type GridFilter } from './grid-model';
import { HostGrid, type CellRef } from './host-grid';

function Harness({ targets, opened }: { targets: ReturnType<typeof makeTarget>[]; opened: CellRef[] }) {
  const [filter, setFilter] = useState<GridFilter>(NO_FILTER);
  return (
    <HostGrid
      targets={targets}
      filter={filter}
      onFilterChange={setFilter}
      selected={null}
      onOpen={(c) => opened.push(c)}
    />
  );
}

const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    makeTarget(`host-${String(i).padStart(4, '0')}`, i % 10 === 0 ? 'Failed' : 'Succeeded', {
      batch: Math.floor(i / 50),
    }),
  );

// The 2,000-host and filter tests render a large fleet: seconds on a loaded 2-core machine, hence their own bounds.
// happy-dom does no layout; give the grid's scroll viewport a laptop-sized box so the virtualiser has a window.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterAll(() => {
  vi.restoreAllMocks();
});

describe('HostGrid', () => {
  it('renders only a window of rows for 2,000 hosts, with counts on the chips', () => {
    render(<Harness targets={fleet(2000)} opened={[]} />);
    const rows = screen.getAllByRole('row');
    // Header + a virtualised window, nowhere near 2,000.
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(80);
    expect(screen.getByRole('button', { name: /^All\s*2000$/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Failed\s*200$/ })).toBeTruthy();
  }, 20_000);

  it('filters by status chip and by search', async () => {
    const user = userEvent.setup();
    render(<Harness targets={fleet(30)} opened={[]} />);
    await user.click(screen.getByRole('button', { name: /^Failed\s*3$/ }));
    const names = () => screen.getAllByRole('rowheader').map((r) => r.textContent);
    expect(names()).toEqual(['host-0000', 'host-0010', 'host-0020']);
    await user.type(screen.getByRole('searchbox', { name: 'Search hosts by name' }), '0010');
    expect(names()).toEqual(['host-0010']);
    await user.click(screen.getByRole('button', { name: /^All\s*30$/ }));
    expect(names()).toEqual(['host-0010']);
  }, 20_000);

  it('opens a cell’s log on click and labels cells for screen readers', async () => {
    const user = userEvent.setup();
    const opened: CellRef[] = [];
    const t = makeTarget('web-1', 'Failed', {}, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Failed'),
    ]);
    render(<Harness targets={[t]} opened={opened} />);
    const cell = screen.getByRole('button', { name: /web-1 · BeforeInstall: failed · 2 s/ });
    await user.click(cell);
    expect(opened).toEqual([{ targetId: 'web-1', eventName: 'BeforeInstall' }]);
  });

  it('is one tab stop, moved with the arrow keys', () => {
    render(<Harness targets={fleet(5)} opened={[]} />);
    const grid = screen.getByRole('grid');
    const focusable = within(grid)
      .getAllByRole('button')
      .filter((b) => b.getAttribute('tabindex') === '0' && b.className.includes('cell'));
    expect(focusable).toHaveLength(1);
    const first = focusable[0] as HTMLElement;
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    const next = within(grid)
      .getAllByRole('button')
      .find((b) => b.getAttribute('tabindex') === '0' && b.className.includes('cell'));
    expect(next?.getAttribute('data-col')).toBe('1');
    expect(document.activeElement).toBe(next);
    fireEvent.keyDown(next as HTMLElement, { key: 'ArrowDown' });
    const below = within(grid)
      .getAllByRole('button')
      .find((b) => b.getAttribute('tabindex') === '0' && b.className.includes('cell'));
    expect(below?.getAttribute('data-row')).toBe('1');
    expect(below?.getAttribute('data-col')).toBe('1');
  });

  it('sorts by status with failures first', async () => {
    const user = userEvent.setup();
    render(
      <Harness
        targets={[makeTarget('a', 'Succeeded'), makeTarget('b', 'Failed'), makeTarget('c', 'InProgress')]}
        opened={[]}
      />,
    );
    await user.click(screen.getByRole('button', { name: /^Sort by Status/ }));
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['b', 'c', 'a']);
  });

  it('gives every cell state its own shape, not only a colour', () => {
    const t = makeTarget('web-1', 'InProgress', {}, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('DownloadBundle', 'Failed'),
      makeEvent('BeforeInstall', 'Unknown'),
      makeEvent('Install', 'InProgress'),
      makeEvent('AfterInstall', 'Skipped'),
      makeEvent('ApplicationStart', 'Pending'),
    ]);
    render(<Harness targets={[t]} opened={[]} />);
    const glyph = (event: string) => screen.getByRole('button', { name: new RegExp(`web-1 · ${event}:`) }).textContent;
    const shapes = [
      'ApplicationStop',
      'DownloadBundle',
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'ApplicationStart',
    ].map(glyph);
    expect(shapes).toEqual(['✓', '✕', '?', '▶', '–', '·']);
    expect(new Set(shapes).size).toBe(6);
    // The legend pairs each shape with its word.
    expect(document.querySelector('.legend')?.textContent).toContain('✓ succeeded');
  });

  it('shows a host stopped on request as Stopped, not Failed', async () => {
    const user = userEvent.setup();
    const stopped = makeTarget('web-1', 'Failed', { errorCode: 'MANUAL_STOP' }, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Skipped'),
    ]);
    const broken = makeTarget('web-2', 'Failed', { errorCode: 'ScriptFailed' }, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Failed'),
    ]);
    // "Stop now" ended this one's running hook: still stopped, not failed.
    const endedNow = makeTarget('web-3', 'Failed', { errorCode: 'MANUAL_STOP' }, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Failed', {
        diagnostics: { errorCode: 'UnknownError', scriptName: null, message: STOPPED_NOW_MESSAGE, logTail: null },
      }),
    ]);
    render(<Harness targets={[stopped, broken, endedNow]} opened={[]} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('gridcell')[0]?.textContent)).toEqual([
      'Stopped',
      'Failed',
      'Stopped',
    ]);
    await user.click(screen.getByRole('button', { name: /^Stopped\s*2$/ }));
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['web-1', 'web-3']);
    expect(screen.getByRole('button', { name: /^Failed\s*1$/ })).toBeTruthy();
  });
});
