import { Role, type RoleGrantInfo, type UserInfo } from '@drover/contracts';
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

/** Grants as people type them: "shop=deployer, shop/staging=viewer". Returns the grants, or the first bad entry. */
export function parseGrants(text: string): { grants: RoleGrantInfo[] } | { bad: string } {
  const grants: RoleGrantInfo[] = [];
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^/=\s]+)(?:\/([^/=\s]+))?\s*=\s*(viewer|deployer|admin)$/.exec(entry);
    if (!m) return { bad: entry };
    grants.push({ applicationName: m[1]!, deploymentGroupName: m[2] ?? null, role: Role.parse(m[3]) });
  }
  return { grants };
}

export const grantsText = (grants: readonly RoleGrantInfo[]) =>
  grants
    .map((g) => `${g.applicationName}${g.deploymentGroupName ? `/${g.deploymentGroupName}` : ''}=${g.role}`)
    .join(', ');

const GRANTS_HINT = 'Roles on single applications or groups: shop=deployer, shop/staging=viewer (empty: none).';

/** One user's grants, edited in place and saved with PATCH /v1/users/:id. */
function GrantsCell({
  user,
  disabled,
  save,
}: {
  user: UserInfo;
  disabled: boolean;
  save: (g: RoleGrantInfo[]) => void;
}) {
  const [text, setText] = useState(grantsText(user.grants));
  const parsed = parseGrants(text);
  const changed = text !== grantsText(user.grants);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if ('grants' in parsed) save(parsed.grants);
      }}
    >
      <label>
        <span className="visually-hidden">Roles per application of {user.email}</span>
        <input
          value={text}
          disabled={disabled}
          placeholder="none"
          aria-invalid={'bad' in parsed}
          title={'bad' in parsed ? `not application=role: ${parsed.bad}` : GRANTS_HINT}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {changed ? (
        <button type="submit" className="btn btn-small" disabled={disabled || 'bad' in parsed}>
          Save
        </button>
      ) : null}
      {user.scopedOnly ? <span className="badge">only these</span> : null}
    </form>
  );
}

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
  const [grants, setGrants] = useState('');
  const [scopedOnly, setScopedOnly] = useState(false);
  const parsedGrants = parseGrants(grants);
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
            if ('bad' in parsedGrants) return;
            create.mutate(
              {
                email,
                name: name.trim(),
                password,
                role,
                mustChangePassword: true,
                scopedOnly,
                grants: parsedGrants.grants,
              },
              {
                onSuccess: () => {
                  setEmail('');
                  setName('');
                  setPassword('');
                  setGrants('');
                  setScopedOnly(false);
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
          <div className="row">
            <TextField
              label="Roles per application"
              hint={GRANTS_HINT}
              error={
                'bad' in parsedGrants ? `not application=role: ${parsedGrants.bad}` : fieldError(create.error, 'grants')
              }
              value={grants}
              onChange={setGrants}
            />
            <label className="row">
              <input type="checkbox" checked={scopedOnly} onChange={(e) => setScopedOnly(e.target.checked)} />
              Only these applications (no role elsewhere)
            </label>
          </div>
          <FormActions
            error={create.error}
            shownFields={['email', 'name', 'password', 'role', 'grants', 'scopedOnly']}
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
                {
                  header: 'Roles per application',
                  cell: (u) => (
                    <GrantsCell
                      key={grantsText(u.grants)}
                      user={u}
                      disabled={update.isPending}
                      save={(g) => update.mutate({ id: u.id, body: { grants: g } })}
                    />
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
