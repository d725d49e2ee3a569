import { useState } from 'react';
import { useChangePassword } from '../../api/auth/mutations';
import { useMe } from '../../api/auth/queries';
import { Field, fieldError, FormError } from '../../components/form';

export function AccountSettings() {
  const me = useMe();
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm !== '' && next !== confirm;
  return (
    <section className="card" aria-labelledby="account-h" style={{ maxWidth: 520 }}>
      <h2 id="account-h">Your account</h2>
      <p>
        {me?.user?.name} · {me?.user?.email} · {me?.role}
      </p>
      {me?.user?.mustChangePassword ? <p className="notice notice-warning">Please choose a new password.</p> : null}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (mismatch) return;
          change.mutate(
            { currentPassword: current, newPassword: next },
            {
              onSuccess: () => {
                setCurrent('');
                setNext('');
                setConfirm('');
              },
            },
          );
        }}
      >
        <Field label="Current password" error={fieldError(change.error, 'currentPassword')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field label="New password" hint="At least 12 characters." error={fieldError(change.error, 'newPassword')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          )}
        </Field>
        <Field label="Repeat the new password" error={mismatch ? 'The two passwords differ.' : undefined}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
        </Field>
        <FormError error={change.error} shownFields={['currentPassword', 'newPassword']} />
        {change.isSuccess ? (
          <p className="notice" role="status">
            Password changed.
          </p>
        ) : null}
        <div>
          <button type="submit" className="btn btn-primary" disabled={change.isPending || mismatch}>
            {change.isPending ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
