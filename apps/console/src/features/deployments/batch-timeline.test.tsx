import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeTarget } from '../../../test-support/fixtures';
import { BatchTimeline } from './batch-timeline';

// A deployment stopped during its first batch: one host finished, one was skipped there, and batch 2 never ran.
const stopped = [
  makeTarget('web-1', 'Succeeded', { batch: 0 }),
  makeTarget('web-2', 'Skipped', { batch: 0 }),
  makeTarget('web-3', 'Skipped', { batch: 1 }),
];

describe('BatchTimeline', () => {
  it('shows skipped hosts apart from done ones; a batch that never ran says so', () => {
    render(<BatchTimeline targets={stopped} currentBatch={0} selected={null} onSelect={() => undefined} />);
    const [first, second] = screen.getAllByRole('button');
    expect(first?.textContent).toContain('1/2 done · 1 skipped');
    expect(second?.textContent).toContain('not run · 1 skipped');
    expect(second?.textContent).not.toMatch(/\d+\/\d+ done/);
    expect(second?.className).toContain('batch-skipped');
    expect(second?.getAttribute('title')).toBe('Not started');
  });

  it('marks the current batch and selects a batch on click (again to clear)', async () => {
    const user = userEvent.setup();
    const picked: (number | null)[] = [];
    const { rerender } = render(
      <BatchTimeline targets={stopped} currentBatch={0} selected={null} onSelect={(b) => picked.push(b)} />,
    );
    const first = screen.getByRole('button', { name: /Batch 1/ });
    expect(first.getAttribute('aria-current')).toBe('step');
    await user.click(screen.getByRole('button', { name: /Batch 2/ }));
    rerender(<BatchTimeline targets={stopped} currentBatch={0} selected={1} onSelect={(b) => picked.push(b)} />);
    expect(screen.getByRole('button', { name: /Batch 2/ }).getAttribute('aria-pressed')).toBe('true');
    await user.click(screen.getByRole('button', { name: /Batch 2/ }));
    expect(picked).toEqual([1, null]);
  });
});
