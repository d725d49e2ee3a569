import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DroverApiError } from '@drover/client';
import { useConfirmAction } from './confirm-action';
import { ConfirmDialog } from './dialog';

interface User {
  id: string;
  email: string;
}
const users: User[] = [
  { id: 'u1', email: 'ana@example.test' },
  { id: 'u2', email: 'bo@example.test' },
];

/** A user list with a Disable button per user; the mutation records what it was asked and answers as told. */
function Harness({ answer, done }: { answer: (id: string) => Promise<string>; done: string[] }) {
  const disable = useMutation({ mutationFn: (v: { id: string }) => answer(v.id) });
  const confirm = useConfirmAction(
    disable,
    (u: User) => ({ id: u.id }),
    (result, u) => done.push(`${u.email}: ${result}`),
  );
  return (
    <>
      {users.map((u) => (
        <button key={u.id} type="button" onClick={() => confirm.ask(u)}>
          Disable {u.email}
        </button>
      ))}
      <ConfirmDialog {...confirm.dialog} title={`Disable ${confirm.subject?.email ?? ''}?`} confirmLabel="Disable">
        <p>They are logged out now.</p>
      </ConfirmDialog>
    </>
  );
}

function renderHarness(answer: (id: string) => Promise<string>) {
  const done: string[] = [];
  const asked: string[] = [];
  const qc = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <Harness
        answer={(id) => {
          asked.push(id);
          return answer(id);
        }}
        done={done}
      />
    </QueryClientProvider>,
  );
  return { done, asked };
}

describe('useConfirmAction', () => {
  it('asks about the chosen subject, runs nothing until confirmed, then closes and reports', async () => {
    const user = userEvent.setup();
    const { done, asked } = renderHarness(async () => 'disabled');
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Disable bo@example.test' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable bo@example.test?' });
    expect(dialog.textContent).toContain('They are logged out now.');
    expect(asked).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(asked).toEqual(['u2']);
    expect(done).toEqual(['bo@example.test: disabled']);
  });

  it('keeps the dialog open with the reason when the request fails, and forgets it on cancel', async () => {
    const user = userEvent.setup();
    const { done } = renderHarness(async () => {
      throw new DroverApiError(409, 'Conflict', 'The last admin cannot be disabled.');
    });
    await user.click(screen.getByRole('button', { name: 'Disable ana@example.test' }));
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The last admin cannot be disabled.');
    expect(screen.getByRole('dialog', { name: 'Disable ana@example.test?' })).toBeTruthy();
    expect(done).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Disable bo@example.test' }));
    expect(screen.getByRole('dialog', { name: 'Disable bo@example.test?' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says it is working while the request runs', async () => {
    const user = userEvent.setup();
    let finish: (v: string) => void = () => undefined;
    renderHarness(() => new Promise<string>((resolve) => (finish = resolve)));
    await user.click(screen.getByRole('button', { name: 'Disable ana@example.test' }));
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    const busy = await screen.findByRole('button', { name: 'Working…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    finish('disabled');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
