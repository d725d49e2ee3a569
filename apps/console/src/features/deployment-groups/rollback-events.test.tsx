import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AutoRollbackEvent } from '@drover/contracts';
import { RollbackEventChoices } from './rollback-events';

describe('RollbackEventChoices', () => {
  it('ticks the chosen events and adds or removes the one clicked', async () => {
    const user = userEvent.setup();
    const changes: AutoRollbackEvent[][] = [];
    render(<RollbackEventChoices value={['DEPLOYMENT_FAILURE']} onChange={(v) => changes.push(v)} />);
    const failure = screen.getByRole('checkbox', { name: 'When a deployment fails' }) as HTMLInputElement;
    const stop = screen.getByRole('checkbox', { name: 'When someone stops a deployment' }) as HTMLInputElement;
    expect(failure.checked).toBe(true);
    expect(stop.checked).toBe(false);
    await user.click(stop);
    await user.click(failure);
    expect(changes).toEqual([['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'], []]);
  });

  it('can be switched off as a whole', () => {
    render(<RollbackEventChoices value={[]} onChange={() => undefined} disabled />);
    const boxes = screen.getAllByRole('checkbox') as HTMLInputElement[];
    expect(boxes).toHaveLength(3);
    expect(boxes.every((b) => b.disabled)).toBe(true);
  });
});
