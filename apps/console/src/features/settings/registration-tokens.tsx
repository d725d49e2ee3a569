import type { RegistrationTokenInfo, Tag } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { useCreateRegistrationToken, useRevokeRegistrationToken } from '../../api/registration-tokens/mutations';
import { registrationTokenQueries } from '../../api/registration-tokens/queries';
import { CopyButton } from '../../components/copy-button';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormActions, TextField } from '../../components/form';
import { EmptyState, QueryBoundary } from '../../components/states';
import { parseTags } from '../../lib/tags';
import { SecretOnce } from './secret-once';
import { expiresColumn, nameColumns, revokeColumn } from './token-columns';

/** The command the console shows for a new token: `curl … | sudo sh -s -- --token drr_…`. */
export const installLine = (origin: string, token: string) =>
  `curl -fsSL ${origin}/install.sh | sudo sh -s -- --token ${token}`;

const tagText = (tags: readonly Tag[]) => tags.map((t) => (t.value ? `${t.key}=${t.value}` : t.key)).join(', ');

export function RegistrationTokens() {
  const canManage = useCan('admin');
  const list = useQuery({ ...registrationTokenQueries.list(), enabled: canManage });
  const create = useCreateRegistrationToken();
  const revoke = useConfirmAction(useRevokeRegistrationToken(), (t: RegistrationTokenInfo) => t.id);
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [hours, setHours] = useState('24');
  const [maxUses, setMaxUses] = useState('');
  const [namePattern, setNamePattern] = useState('');
  const [allowExtraTags, setAllowExtraTags] = useState(false);
  const [created, setCreated] = useState<{ token: string; tags: Tag[]; allowExtraTags: boolean } | null>(null);

  if (!canManage) {
    return (
      <EmptyState title="Agent registration tokens are managed by admins.">
        Ask an admin for a token to register new hosts.
      </EmptyState>
    );
  }
  // The one-line install this server generates (GET /install.sh): it downloads the agent from here, checks it,
  // registers the host with the token and starts the service (docs/agent.md).
  const command = created ? installLine(window.location.origin, created.token) : '';
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
            <p>On each host, as root (the host needs no Node: the agent comes as one self-contained executable):</p>
            <div className="secret-box">
              <pre>
                <code>{command}</code>
              </pre>
              <CopyButton text={command} what="install command" />
            </div>
            <p className="muted small">
              It downloads the agent from this server and checks its sha256, registers the host
              {created.tags.length ? <> with this token&apos;s tags ({tagText(created.tags)})</> : null}, writes{' '}
              <code>/etc/drover/agent.yml</code> and starts the <code>drover-agent</code> systemd service. Add{' '}
              <code>--name web-1</code> to choose the host&apos;s name (default: its hostname),{' '}
              <code>--tag key=value</code> for tags of its own
              {created.allowExtraTags ? '' : ' (not allowed by this token)'}. Running it again upgrades the agent and
              keeps its registration; <code>--uninstall</code> removes it.
            </p>
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
                  allowExtraTags,
                  expiresInHours: Number(hours),
                  ...(maxUses ? { maxUses: Number(maxUses) } : {}),
                  ...(namePattern.trim() ? { namePattern: namePattern.trim() } : {}),
                },
                { onSuccess: (t) => setCreated({ token: t.token, tags: t.tags, allowExtraTags: t.allowExtraTags }) },
              );
            }}
          >
            <div className="row">
              <TextField
                label="Name"
                error={fieldError(create.error, 'name')}
                required
                maxLength={100}
                value={name}
                onChange={setName}
                placeholder="prod web fleet"
              />
              <div style={{ flex: 1 }}>
                <TextField
                  label="Tags"
                  hint="key=value, comma separated"
                  error={fieldError(create.error, 'tags')}
                  value={tags}
                  onChange={setTags}
                  placeholder="env=prod, role=web"
                />
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
            <div className="row">
              <TextField
                label="Host names"
                hint="a pattern the names must match (* any run, ? one character); blank = any"
                error={fieldError(create.error, 'namePattern')}
                maxLength={128}
                value={namePattern}
                onChange={setNamePattern}
                placeholder="web-*"
              />
              <label className="choice">
                <input type="checkbox" checked={allowExtraTags} onChange={(e) => setAllowExtraTags(e.target.checked)} />
                <span>Hosts may add tags of their own (--tag), besides the token&apos;s</span>
              </label>
            </div>
            <FormActions
              error={create.error}
              shownFields={['name', 'tags', 'allowExtraTags', 'namePattern', 'expiresInHours', 'maxUses']}
              pending={create.isPending}
              pendingLabel="Creating…"
              disabled={name.trim() === ''}
            >
              Create registration token
            </FormActions>
          </form>
        )}
      </section>
      <section className="card" aria-labelledby="reg-h">
        <h2 id="reg-h">Registration tokens</h2>
        <QueryBoundary query={list} what="registration tokens">
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(t) => t.id}
              empty={<EmptyState title="No registration tokens." />}
              columns={[
                ...nameColumns(),
                { header: 'Tags', className: 'mono small', cell: (t) => tagText(t.tags) || '—' },
                {
                  header: 'Used',
                  cell: (t) => `${t.usedCount}${t.maxUses !== null ? ` / ${t.maxUses}` : ''}`,
                },
                expiresColumn(),
                revokeColumn('registration token', revoke.ask),
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog
        {...revoke.dialog}
        title={`Revoke ${revoke.subject?.name ?? ''}?`}
        confirmLabel="Revoke"
        tone="danger"
      >
        <p>No new host can register with it. Hosts that already registered keep working.</p>
      </ConfirmDialog>
    </div>
  );
}
