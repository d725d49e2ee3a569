import { Role, type ApiTokenInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { roleAllows } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { errorMessage } from '../../api/http';
import { useCreateApiToken, useRevokeApiToken } from '../../api/tokens/mutations';
import { apiTokenQueries } from '../../api/tokens/queries';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormError } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { SecretOnce } from './secret-once';

export function ApiTokens() {
  const me = useMe();
  const [all, setAll] = useState(false);
  const list = useQuery(apiTokenQueries.list(all));
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('deployer');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenInfo | null>(null);
  const roles = Role.options.filter((r) => roleAllows(me?.role, r));

  return (
    <div className="stack">
      <section className="card" aria-labelledby="new-token-h">
        <h2 id="new-token-h">Create an API token</h2>
        <p className="muted">
          For scripts and CI: send it as <code>Authorization: Bearer drv_…</code>. Its role can be at most yours.
        </p>
        {secret ? (
          <SecretOnce secret={secret} what="API token" onDone={() => setSecret(null)} />
        ) : (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate(
                { name: name.trim(), role, ...(days ? { expiresInDays: Number(days) } : {}) },
                {
                  onSuccess: (t) => {
                    setSecret(t.token);
                    setName('');
                  },
                },
              );
            }}
          >
            <Field label="Name" error={fieldError(create.error, 'name')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  required
                  maxLength={100}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  placeholder="ci-deployer"
                />
              )}
            </Field>
            <Field label="Role" error={fieldError(create.error, 'role')}>
              {(p) => (
                <select {...p} value={role} onChange={(e) => setRole(Role.parse(e.target.value))}>
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Expires" error={fieldError(create.error, 'expiresInDays')}>
              {(p) => (
                <select {...p} value={days} onChange={(e) => setDays(e.target.value)}>
                  <option value="7">in 7 days</option>
                  <option value="30">in 30 days</option>
                  <option value="90">in 90 days</option>
                  <option value="365">in a year</option>
                  <option value="">never</option>
                </select>
              )}
            </Field>
            <button type="submit" className="btn btn-primary" disabled={create.isPending || name.trim() === ''}>
              {create.isPending ? 'Creating…' : 'Create token'}
            </button>
          </form>
        )}
        <FormError error={create.error} shownFields={['name', 'role', 'expiresInDays']} />
      </section>

      <section className="card" aria-labelledby="tokens-h">
        <div className="card-header">
          <h2 id="tokens-h">API tokens</h2>
          <label className="choice">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            <span>Show revoked and expired</span>
          </label>
        </div>
        <QueryBoundary query={list} what="API tokens">
          {(page) =>
            page.items.length === 0 ? (
              <EmptyState title="No API tokens." />
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Prefix</th>
                      <th scope="col">Role</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Expires</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((t) => (
                      <tr key={t.id}>
                        <td>{t.name}</td>
                        <td className="mono">{t.prefix}…</td>
                        <td>{t.role}</td>
                        <td>
                          <RelativeTime value={t.createdAt} />{' '}
                          {t.createdBy ? <span className="muted small">by {t.createdBy.email}</span> : null}
                        </td>
                        <td>
                          <RelativeTime value={t.lastUsedAt} fallback="never" />
                        </td>
                        <td>
                          {t.revokedAt ? (
                            <span className="badge badge-skipped">revoked</span>
                          ) : (
                            <RelativeTime value={t.expiresAt} fallback="never" />
                          )}
                        </td>
                        <td>
                          {t.revokedAt ? null : (
                            <button
                              type="button"
                              className="btn btn-small"
                              onClick={() => setRevoking(t)}
                              aria-label={`Revoke token ${t.name}`}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryBoundary>
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        tone="danger"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onCancel={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <p>Scripts using this token stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
