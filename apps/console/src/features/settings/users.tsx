import { Role, type UserInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { useCreateUser, useUpdateUser } from '../../api/users/mutations';
import { userQueries } from '../../api/users/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormActions, FormError, PasswordField, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';

export function Users() {
  const isAdmin = useCan('admin');
  const me = useMe();
  const list = useQuery({ ...userQueries.list(), enabled: isAdmin });
  const create = useCreateUser();
  const update = useUpdateUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const toggle = useConfirmAction(update, (u: UserInfo) => ({ id: u.id, body: { disabled: u.disabledAt === null } }));
  const enabling = Boolean(toggle.subject?.disabledAt);
  const isSelf = (u: UserInfo) => me?.user?.id === u.id;
  if (!isAdmin) return <EmptyState title="Only admins manage users." />;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="new-user-h">
        <h2 id="new-user-h">Add a user</h2>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { email, name: name.trim(), password, role, mustChangePassword: true },
              {
                onSuccess: () => {
                  setEmail('');
                  setName('');
                  setPassword('');
                },
              },
            );
          }}
        >
          <div className="row">
            <TextField
              label="Email"
              type="email"
              error={fieldError(create.error, 'email')}
              required
              value={email}
              onChange={setEmail}
            />
            <TextField label="Name" error={fieldError(create.error, 'name')} required value={name} onChange={setName} />
            <PasswordField
              label="Initial password"
              purpose="new"
              minLength={12}
              hint="At least 12 characters; they must change it at first log-in."
              error={fieldError(create.error, 'password')}
              value={password}
              onChange={setPassword}
            />
            <Field label="Role" error={fieldError(create.error, 'role')}>
              {(p) => (
                <select {...p} value={role} onChange={(e) => setRole(Role.parse(e.target.value))}>
                  <option value="viewer">viewer (read only)</option>
                  <option value="deployer">deployer (deploy, stop, roll back)</option>
                  <option value="admin">admin (everything)</option>
                </select>
              )}
            </Field>
          </div>
          <FormActions
            error={create.error}
            shownFields={['email', 'name', 'password', 'role']}
            pending={create.isPending}
            pendingLabel="Adding…"
          >
            Add user
          </FormActions>
        </form>
      </section>
      <section className="card" aria-labelledby="users-h">
        <h2 id="users-h">Users</h2>
        {update.error ? <FormError error={update.error} /> : null}
        <QueryBoundary query={list} what="users">
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(u) => u.id}
              columns={[
                { header: 'Email', cell: (u) => u.email },
                { header: 'Name', cell: (u) => u.name },
                {
                  header: 'Role',
                  cell: (u) => (
                    <label>
                      <span className="visually-hidden">Role of {u.email}</span>
                      <select
                        value={u.role}
                        disabled={isSelf(u) || update.isPending}
                        onChange={(e) => update.mutate({ id: u.id, body: { role: Role.parse(e.target.value) } })}
                      >
                        {Role.options.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </label>
                  ),
                },
                { header: 'Last log-in', cell: (u) => <RelativeTime value={u.lastLoginAt} fallback="never" /> },
                {
                  header: 'Status',
                  cell: (u) => (
                    <>
                      {u.disabledAt ? (
                        <span className="badge badge-skipped">disabled</span>
                      ) : (
                        <span className="badge badge-online">active</span>
                      )}
                      {u.mustChangePassword ? <div className="small muted">must change password</div> : null}
                    </>
                  ),
                },
                {
                  header: 'Actions',
                  hiddenHeader: true,
                  cell: (u) =>
                    isSelf(u) ? (
                      <span className="muted small">you</span>
                    ) : (
                      <button type="button" className="btn btn-small" onClick={() => toggle.ask(u)}>
                        {u.disabledAt ? 'Enable' : 'Disable'}
                      </button>
                    ),
                },
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog
        {...toggle.dialog}
        title={`${enabling ? 'Enable' : 'Disable'} ${toggle.subject?.email ?? ''}?`}
        confirmLabel={enabling ? 'Enable' : 'Disable'}
        tone={enabling ? 'primary' : 'danger'}
      >
        <p>
          {enabling
            ? 'They can log in again.'
            : 'They are logged out now, and their sessions and API tokens stop working.'}
        </p>
      </ConfirmDialog>
    </div>
  );
}
