// Settings → Access keys: the SigV4 credentials the aws CLI and AWS SDKs use against Drover's CodeDeploy-compatible
// endpoint (docs/aws-compatibility.md). The secret is shown once, beside the commands that use it.
import { Role, type AccessKeyInfo, type CreateAccessKeyResponse } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCreateAccessKey, useRevokeAccessKey } from '../../api/access-keys/mutations';
import { accessKeyQueries } from '../../api/access-keys/queries';
import { roleAllows } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormError, SubmitButton, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { SecretOnce } from './secret-once';

/** Where the aws CLI and SDKs send their requests on this server. */
export const codeDeployEndpoint = (origin: string) => `${origin}/aws/codedeploy`;

export function AccessKeys() {
  const me = useMe();
  const [all, setAll] = useState(false);
  const list = useQuery(accessKeyQueries.list(all));
  const create = useCreateAccessKey();
  const revoke = useConfirmAction(useRevokeAccessKey(), (k: AccessKeyInfo) => k.accessKeyId);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(me?.role === 'admin' ? 'deployer' : (me?.role ?? 'viewer'));
  const [made, setMade] = useState<CreateAccessKeyResponse | null>(null);
  const roles = Role.options.filter((r) => roleAllows(me?.role, r));
  const endpoint = codeDeployEndpoint(window.location.origin);

  return (
    <div className="stack">
      <section className="card" aria-labelledby="new-access-key-h">
        <h2 id="new-access-key-h">Create an access key</h2>
        <p className="muted">
          For the <code>aws</code> CLI and the AWS SDKs: point them at <code>{endpoint}</code> (any region). The key
          acts with its role, at most yours, and ends when you are disabled or the API token it was made with is
          revoked.
        </p>
        {made ? (
          <div className="stack">
            <p>
              Access key id <code>{made.accessKeyId}</code> ({made.name}, role {made.role})
            </p>
            <SecretOnce
              secret={made.secretAccessKey}
              what="secret access key"
              warning={<>Copy this secret access key now. It is shown only once; Drover keeps it sealed.</>}
              onDone={() => setMade(null)}
            />
            <pre>{`export AWS_ACCESS_KEY_ID=${made.accessKeyId} AWS_SECRET_ACCESS_KEY=<the secret>\naws deploy list-applications --endpoint-url ${endpoint} --region us-east-1`}</pre>
          </div>
        ) : (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate(
                { name: name.trim(), role },
                {
                  onSuccess: (k) => {
                    setMade(k);
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
              placeholder="release-pipeline"
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
            <SubmitButton pending={create.isPending} pendingLabel="Creating…" disabled={name.trim() === ''}>
              Create access key
            </SubmitButton>
          </form>
        )}
        <FormError error={create.error} shownFields={['name', 'role']} />
      </section>

      <section className="card" aria-labelledby="access-keys-h">
        <div className="card-header">
          <h2 id="access-keys-h">Access keys</h2>
          <label className="choice">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            <span>Show revoked</span>
          </label>
        </div>
        <QueryBoundary query={list} what="access keys">
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(k) => k.id}
              empty={<EmptyState title="No access keys." />}
              columns={[
                { header: 'Access key id', className: 'mono', cell: (k) => k.accessKeyId },
                { header: 'Name', cell: (k) => k.name },
                { header: 'Role', cell: (k) => k.role },
                { header: 'Owner', cell: (k) => k.owner?.email ?? '-' },
                { header: 'Last used', cell: (k) => <RelativeTime value={k.lastUsedAt} fallback="never" /> },
                {
                  header: 'Status',
                  cell: (k) =>
                    k.revokedAt ? (
                      <>
                        revoked <RelativeTime value={k.revokedAt} />
                      </>
                    ) : (
                      'active'
                    ),
                },
                {
                  header: 'Actions',
                  hiddenHeader: true,
                  cell: (k) =>
                    k.revokedAt ? null : (
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => revoke.ask(k)}
                        aria-label={`Revoke access key ${k.name}`}
                      >
                        Revoke
                      </button>
                    ),
                },
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog
        {...revoke.dialog}
        title={`Revoke ${revoke.subject?.name ?? ''}?`}
        confirmLabel="Revoke access key"
        tone="danger"
      >
        <p>Requests signed with this key are refused at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
