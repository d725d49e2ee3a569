import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { FilterChips, SearchBox } from './filters';

describe('FilterChips', () => {
  it('presses exactly the chip of the current value, shows counts, and switches on click', async () => {
    const user = userEvent.setup();
    function Harness() {
      const [show, setShow] = useState<'all' | 'online' | 'offline'>('all');
      return (
        <FilterChips
          label="Show hosts"
          value={show}
          onChange={setShow}
          options={[
            { value: 'all', label: 'All', count: 3 },
            { value: 'online', label: 'online', count: 2 },
            { value: 'offline', label: 'offline', count: 1 },
          ]}
        >
          <button type="button">extra</button>
        </FilterChips>
      );
    }
    render(<Harness />);
    const group = screen.getByRole('group', { name: 'Show hosts' });
    const pressed = () => [...group.querySelectorAll('button[aria-pressed="true"]')].map((b) => b.textContent ?? '');
    expect(pressed()).toEqual(['All3']);
    expect(screen.getByRole('button', { name: 'online 2' }).getAttribute('aria-pressed')).toBe('false');
    await user.click(screen.getByRole('button', { name: 'offline 1' }));
    expect(pressed()).toEqual(['offline1']);
    expect(group.lastElementChild?.textContent).toBe('extra');
  });
});

describe('SearchBox', () => {
  it('is a search input named for screen readers', async () => {
    const user = userEvent.setup();
    const typed: string[] = [];
    render(
      <SearchBox label="Search hosts by name" placeholder="Search hosts" value="" onChange={(v) => typed.push(v)} />,
    );
    const box = screen.getByRole('searchbox', { name: 'Search hosts by name' });
    expect(box.getAttribute('placeholder')).toBe('Search hosts');
    await user.type(box, 'w');
    expect(typed).toEqual(['w']);
  });
});
