import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { toApiError } from '@drover/client';
import { fieldError, FormActions, PasswordField, RadioChoices, SubmitButton, TextField } from './form';

const conflict = toApiError(409, {
  error: {
    code: 'Conflict',
    message: 'An application with this name exists.',
    details: { issues: [{ field: 'applicationName', reason: 'taken' }] },
  },
});

describe('SubmitButton', () => {
  it('submits its form, and says it is working (disabled) while pending', async () => {
    const user = userEvent.setup();
    let submitted = 0;
    const { rerender } = render(
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submitted += 1;
        }}
      >
        <SubmitButton pending={false} pendingLabel="Creating…">
          Create
        </SubmitButton>
      </form>,
    );
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(submitted).toBe(1);
    rerender(
      <form>
        <SubmitButton pending pendingLabel="Creating…">
          Create
        </SubmitButton>
      </form>,
    );
    const busy = screen.getByRole('button', { name: 'Creating…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    expect(busy.getAttribute('aria-busy')).toBe('true');
  });

  it('stays disabled while the form is incomplete', () => {
    render(
      <SubmitButton pending={false} disabled>
        Create
      </SubmitButton>,
    );
    expect((screen.getByRole('button', { name: 'Create' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('FormActions', () => {
  it('shows the submit error (minus issues shown by fields), then Cancel and the submit button', async () => {
    const user = userEvent.setup();
    let cancelled = false;
    render(
      <FormActions
        error={conflict}
        shownFields={['applicationName']}
        onCancel={() => (cancelled = true)}
        pending={false}
      >
        Create
      </FormActions>,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('An application with this name exists.');
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Cancel', 'Create']);
    expect(buttons[0]?.getAttribute('type')).toBe('button');
    expect(buttons[1]?.getAttribute('type')).toBe('submit');
    await user.click(buttons[0]!);
    expect(cancelled).toBe(true);
  });

  it('has no Cancel where the form cannot be left, and no alert without an error', () => {
    render(
      <FormActions error={null} pending={false}>
        Add user
      </FormActions>,
    );
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Add user']);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('PasswordField', () => {
  it('is a required, labelled password input that password managers can tell apart', async () => {
    const user = userEvent.setup();
    function Harness() {
      const [value, setValue] = useState('');
      return (
        <>
          <PasswordField label="New password" purpose="new" minLength={12} value={value} onChange={setValue} />
          <output>{value}</output>
        </>
      );
    }
    render(<Harness />);
    const input = screen.getByLabelText('New password') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.required).toBe(true);
    expect(input.autocomplete).toBe('new-password');
    expect(input.minLength).toBe(12);
    await user.type(input, 'hunter2');
    expect(screen.getByRole('status').textContent).toBe('hunter2');
  });
});

describe('RadioChoices', () => {
  it('checks the current value and reports the one picked', async () => {
    const user = userEvent.setup();
    const picked: string[] = [];
    render(
      <fieldset>
        <legend>Rollback</legend>
        <RadioChoices
          name="rollback"
          value="group"
          onChange={(v) => picked.push(v)}
          options={[
            { value: 'group', label: "Use the group's setting" },
            { value: 'off', label: 'Do not roll back automatically' },
          ]}
        />
      </fieldset>,
    );
    const group = screen.getByRole('radio', { name: "Use the group's setting" }) as HTMLInputElement;
    const off = screen.getByRole('radio', { name: 'Do not roll back automatically' }) as HTMLInputElement;
    expect(group.checked).toBe(true);
    expect(off.checked).toBe(false);
    expect(off.name).toBe('rollback');
    await user.click(off);
    expect(picked).toEqual(['off']);
  });
});

describe('TextField', () => {
  it('is a labelled input with its hint, its server-side issue, and the focus mark a dialog looks for', async () => {
    const user = userEvent.setup();
    const typed: string[] = [];
    render(
      <TextField
        label="Name"
        hint="Letters and digits"
        error={fieldError(conflict, 'applicationName')}
        required
        maxLength={100}
        value=""
        onChange={(v) => typed.push(v)}
        focusFirst
      />,
    );
    const input = screen.getByLabelText('Name') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.required).toBe(true);
    expect(input.maxLength).toBe(100);
    expect(input.hasAttribute('data-autofocus')).toBe(true);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id));
    expect(described.map((el) => el?.textContent)).toEqual(['Letters and digits', 'taken']);
    await user.type(input, 'x');
    expect(typed).toEqual(['x']);
  });

  it('takes email addresses, and is not marked for focus unless asked', () => {
    render(<TextField label="Email" type="email" value="" onChange={() => undefined} />);
    const input = screen.getByLabelText('Email') as HTMLInputElement;
    expect(input.type).toBe('email');
    expect(input.required).toBe(false);
    expect(input.hasAttribute('data-autofocus')).toBe(false);
  });
});
