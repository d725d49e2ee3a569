import type { RegistrationTokenInfo, Tag } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { errorMessage } from '../../api/http';
import { useCreateRegistrationToken, useRevokeRegistrationToken } from '../../api/registration-tokens/mutations';
import { registrationTokenQueries } from '../../api/registration-tokens/queries';
import { CopyButton } from '../../components/copy-button';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormError } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { parseTags } from '../../lib/tags';
import { SecretOnce } from './secret-once';

const tagText = (tags: readonly Tag[]) => tags.map((t) => (t.value ? `${t.key}=${t.value}` : t.key)).join(', ');

export function RegistrationTokens() {
  const canManage = useCan('admin');
  const list = useQuery({ ...registrationTokenQueries.list(), enabled: canManage });
  const create = useCreateRegistrationToken();
  const revoke = useRevokeRegistrationToken();
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [hours, setHours] = useState('24');
  const [maxUses, setMaxUses] = useState('');
  const [created, setCreated] = useState<{ token: string; tags: Tag[] } | null>(null);
  const [revoking, setRevoking] = useState<RegistrationTokenInfo | null>(null);

  if (!canManage) {
    return (
      <EmptyState title="Agent registration tokens are managed by admins.">
        Ask an admin for a token to register new hosts.
      </EmptyState>
    );
  }
  const command = created
    ? `drover-agent register --server ${window.location.origin} --token ${created.token} --name $(hostname)${created.tags.length ? '' : ' --tag env=prod'}`
    : '';
  return (
    <div className="stack">
      <section className="card" aria-labelledby="new-reg-h">
        <h2 id="new-reg-h">Register hosts</h2>
        <p className="muted">
          A registration token lets agents join the fleet. Hosts registering with it get its tags, which deployment
          groups select on.
        </p>
        {created ? (
          <>
            <SecretOnce secret={created.token} what="registration token" onDone={() => setCreated(null)} />
            <p>On each host, run:</p>
            <div className="secret-box">
              <code>{command}</code>
              <CopyButton text={command} what="registration command" />
            </div>
          </>
        ) : (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              const parsedTags = parseTags(tags);
              create.mutate(
                {
                  name: name.trim(),
                  tags: parsedTags,
                  expiresInHours: Number(hours),
                  ...(maxUses ? { maxUses: Number(maxUses) } : {}),
                },
                { onSuccess: (t) => setCreated({ token: t.token, tags: parsedTags }) },
              );
            }}
          >
            <div className="row">
              <Field label="Name" error={fieldError(create.error, 'name')}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    required
                    maxLength={100}
                    value={name}
                    onChange={(e) => setName(e.target.value)}
                    placeholder="prod web fleet"
                  />
                )}
              </Field>
              <div style={{ flex: 1 }}>
                <Field label="Tags" hint="key=value, comma separated" error={fieldError(create.error, 'tags')}>
                  {(p) => (
                    <input
                      {...p}
                      type="text"
                      value={tags}
                      onChange={(e) => setTags(e.target.value)}
                      placeholder="env=prod, role=web"
                    />
                  )}
                </Field>
              </div>
              <Field label="Valid for" error={fieldError(create.error, 'expiresInHours')}>
                {(p) => (
                  <select {...p} value={hours} onChange={(e) => setHours(e.target.value)}>
                    <option value="1">1 hour</option>
                    <option value="24">24 hours</option>
                    <option value="168">7 days</option>
                    <option value="720">30 days</option>
                  </select>
                )}
              </Field>
              <Field label="Max uses" hint="blank = unlimited" error={fieldError(create.error, 'maxUses')}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    min={1}
                    value={maxUses}
                    onChange={(e) => setMaxUses(e.target.value)}
                    style={{ width: 100 }}
                  />
                )}
              </Field>
            </div>
            <FormError error={create.error} shownFields={['name', 'tags', 'expiresInHours', 'maxUses']} />
            <div>
              <button type="submit" className="btn btn-primary" disabled={create.isPending || name.trim() === ''}>
                {create.isPending ? 'Creating…' : 'Create registration token'}
              </button>
            </div>
          </form>
        )}
      </section>
      <section className="card" aria-labelledby="reg-h">
        <h2 id="reg-h">Registration tokens</h2>
        <QueryBoundary query={list} what="registration tokens">
          {(page) =>
            page.items.length === 0 ? (
              <EmptyState title="No registration tokens." />
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Prefix</th>
                      <th scope="col">Tags</th>
                      <th scope="col">Used</th>
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
                        <td className="mono small">{tagText(t.tags) || '—'}</td>
                        <td>
                          {t.usedCount}
                          {t.maxUses !== null ? ` / ${t.maxUses}` : ''}
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
                              aria-label={`Revoke registration token ${t.name}`}
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
        confirmLabel="Revoke"
        tone="danger"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onCancel={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <p>No new host can register with it. Hosts that already registered keep working.</p>
      </ConfirmDialog>
    </div>
  );
}
