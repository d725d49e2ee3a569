import { Role, type ApiTokenInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { roleAllows } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { useCreateApiToken, useRevokeApiToken } from '../../api/tokens/mutations';
import { apiTokenQueries } from '../../api/tokens/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormError, SubmitButton, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { SecretOnce } from './secret-once';
import { expiresColumn, nameColumns, revokeColumn } from './token-columns';

export function ApiTokens() {
  const me = useMe();
  const [all, setAll] = useState(false);
  const list = useQuery(apiTokenQueries.list(all));
  const create = useCreateApiToken();
  const revoke = useConfirmAction(useRevokeApiToken(), (t: ApiTokenInfo) => t.id);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('deployer');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
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
            <TextField
              label="Name"
              error={fieldError(create.error, 'name')}
              required
              maxLength={100}
              value={name}
              onChange={setName}
              placeholder="ci-deployer"
            />
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
            <SubmitButton pending={create.isPending} pendingLabel="Creating…" disabled={name.trim() === ''}>
              Create token
            </SubmitButton>
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
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(t) => t.id}
              empty={<EmptyState title="No API tokens." />}
              columns={[
                ...nameColumns(),
                { header: 'Role', cell: (t) => t.role },
                {
                  header: 'Created',
                  cell: (t) => (
                    <>
                      <RelativeTime value={t.createdAt} />{' '}
                      {t.createdBy ? <span className="muted small">by {t.createdBy.email}</span> : null}
                    </>
                  ),
                },
                { header: 'Last used', cell: (t) => <RelativeTime value={t.lastUsedAt} fallback="never" /> },
                expiresColumn(),
                revokeColumn('token', revoke.ask),
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog
        {...revoke.dialog}
        title={`Revoke ${revoke.subject?.name ?? ''}?`}
        confirmLabel="Revoke token"
        tone="danger"
      >
        <p>Scripts using this token stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
