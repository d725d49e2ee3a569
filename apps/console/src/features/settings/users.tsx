import { Role, type UserInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { errorMessage } from '../../api/http';
import { useCreateUser, useUpdateUser } from '../../api/users/mutations';
import { userQueries } from '../../api/users/queries';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormError } from '../../components/form';
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
  const [toggling, setToggling] = useState<UserInfo | null>(null);
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
            <Field label="Email" error={fieldError(create.error, 'email')}>
              {(p) => <input {...p} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <Field label="Name" error={fieldError(create.error, 'name')}>
              {(p) => <input {...p} type="text" required value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field
              label="Initial password"
              hint="At least 12 characters; they must change it at first log-in."
              error={fieldError(create.error, 'password')}
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={12}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
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
          <FormError error={create.error} shownFields={['email', 'name', 'password', 'role']} />
          <div>
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Adding…' : 'Add user'}
            </button>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="users-h">
        <h2 id="users-h">Users</h2>
        {update.error ? <FormError error={update.error} /> : null}
        <QueryBoundary query={list} what="users">
          {(page) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Last log-in</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((u) => {
                    const self = me?.user?.id === u.id;
                    return (
                      <tr key={u.id}>
                        <td>{u.email}</td>
                        <td>{u.name}</td>
                        <td>
                          <label>
                            <span className="visually-hidden">Role of {u.email}</span>
                            <select
                              value={u.role}
                              disabled={self || update.isPending}
                              onChange={(e) => update.mutate({ id: u.id, body: { role: Role.parse(e.target.value) } })}
                            >
                              {Role.options.map((r) => (
                                <option key={r} value={r}>
                                  {r}
                                </option>
                              ))}
                            </select>
                          </label>
                        </td>
                        <td>
                          <RelativeTime value={u.lastLoginAt} fallback="never" />
                        </td>
                        <td>
                          {u.disabledAt ? (
                            <span className="badge badge-skipped">disabled</span>
                          ) : (
                            <span className="badge badge-online">active</span>
                          )}
                          {u.mustChangePassword ? <div className="small muted">must change password</div> : null}
                        </td>
                        <td>
                          {self ? (
                            <span className="muted small">you</span>
                          ) : (
                            <button type="button" className="btn btn-small" onClick={() => setToggling(u)}>
                              {u.disabledAt ? 'Enable' : 'Disable'}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog
        open={toggling !== null}
        title={toggling?.disabledAt ? `Enable ${toggling.email}?` : `Disable ${toggling?.email ?? ''}?`}
        confirmLabel={toggling?.disabledAt ? 'Enable' : 'Disable'}
        tone={toggling?.disabledAt ? 'primary' : 'danger'}
        pending={update.isPending}
        error={update.error ? errorMessage(update.error) : null}
        onCancel={() => {
          update.reset();
          setToggling(null);
        }}
        onConfirm={() =>
          toggling &&
          update.mutate(
            { id: toggling.id, body: { disabled: toggling.disabledAt === null } },
            { onSuccess: () => setToggling(null) },
          )
        }
      >
        <p>
          {toggling?.disabledAt
            ? 'They can log in again.'
            : 'They are logged out now, and their sessions and API tokens stop working.'}
        </p>
      </ConfirmDialog>
    </div>
  );
}
