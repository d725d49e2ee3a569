import { useState } from 'react';
import { useChangePassword } from '../../api/auth/mutations';
import { useMe } from '../../api/auth/queries';
import { fieldError, FormActions, PasswordField } from '../../components/form';

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
        {me?.user?.name} · {me?.user?.email} ·{' '}
        {me?.scopedOnly ? 'no role outside the applications below' : me?.globalRole}
      </p>
      {me?.grants.length ? (
        <p>
          Roles per application:{' '}
          {me.grants
            .map((g) => `${g.role} on ${g.applicationName}${g.deploymentGroupName ? `/${g.deploymentGroupName}` : ''}`)
            .join(', ')}
        </p>
      ) : null}
      {me?.user?.mustChangePassword ? (
        <p className="notice notice-warning">
          Choose a new password: until you do, nothing else works (the password you were given is temporary).
        </p>
      ) : null}
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
        <PasswordField
          label="Current password"
          purpose="current"
          error={fieldError(change.error, 'currentPassword')}
          value={current}
          onChange={setCurrent}
        />
        <PasswordField
          label="New password"
          purpose="new"
          minLength={12}
          hint="At least 12 characters."
          error={fieldError(change.error, 'newPassword')}
          value={next}
          onChange={setNext}
        />
        <PasswordField
          label="Repeat the new password"
          purpose="new"
          error={mismatch ? 'The two passwords differ.' : undefined}
          value={confirm}
          onChange={setConfirm}
        />
        {change.isSuccess ? (
          <p className="notice" role="status">
            Password changed.
          </p>
        ) : null}
        <FormActions
          error={change.error}
          shownFields={['currentPassword', 'newPassword']}
          pending={change.isPending}
          disabled={mismatch}
        >
          Change password
        </FormActions>
      </form>
    </section>
  );
}
