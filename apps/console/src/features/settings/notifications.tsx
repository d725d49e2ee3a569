// Settings → Notifications: the targets deployment groups' triggers send events to (a signed webhook or a
// Slack-compatible chat hook), and for one target its delivery log with "send a test event" and "redeliver".
import type { NotificationDelivery, NotificationTargetInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../../api/errors';
import { useCan } from '../../api/auth/permissions';
import {
  useCreateNotificationTarget,
  useDeleteNotificationTarget,
  useRedeliver,
  useRotateSigningSecret,
  useSendTestEvent,
} from '../../api/notification-targets/mutations';
import { notificationTargetQueries } from '../../api/notification-targets/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { Field, fieldError, FormActions, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { pagePaths } from '../../lib/page-paths';
import { SecretOnce } from './secret-once';

const KIND_TEXT: Record<NotificationTargetInfo['kind'], string> = {
  webhook: 'Webhook (signed JSON)',
  slack: 'Chat (Slack-compatible)',
};

const targetPath = (name: string) => `/settings/notifications/${encodeURIComponent(name)}`;

const SECRET_WARNING = (
  <>
    Copy this signing secret now and give it to your receiver. It is shown only once; Drover keeps it encrypted and
    never shows it again.
  </>
);

function UsedBy({ t }: { t: NotificationTargetInfo }) {
  if (t.usedBy.length === 0) return <span className="muted">no trigger</span>;
  return (
    <>
      {t.usedBy.map((u, i) => (
        <span key={`${u.applicationName}/${u.deploymentGroupName}/${u.triggerName}`}>
          {i > 0 ? ', ' : ''}
          <Link to={pagePaths.group(u.applicationName, u.deploymentGroupName)}>
            {u.applicationName} / {u.deploymentGroupName}
          </Link>{' '}
          <span className="muted small">({u.triggerName})</span>
        </span>
      ))}
    </>
  );
}

/** A delivery's state in words: delivered, failed, retrying (attempted, not yet through) or pending. */
export function deliveryState(d: NotificationDelivery): { text: string; tone: string } {
  if (d.status === 'delivered') return { text: 'Delivered', tone: 'succeeded' };
  if (d.status === 'failed') return { text: 'Failed', tone: 'failed' };
  return d.attempts > 0 ? { text: 'Retrying', tone: 'stopped' } : { text: 'Pending', tone: 'pending' };
}

export function NotificationTargets() {
  const isAdmin = useCan('admin');
  const list = useQuery(notificationTargetQueries.list());
  const create = useCreateNotificationTarget();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<NotificationTargetInfo['kind']>('webhook');
  const [url, setUrl] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  return (
    <div className="stack">
      {isAdmin ? (
        <section className="card" aria-labelledby="new-target-h">
          <h2 id="new-target-h">Add a notification target</h2>
          <p className="muted">
            Deployment groups send events here: name the target in a group&apos;s triggers. A webhook receives signed
            JSON (docs/notifications.md); a chat target posts readable messages, one summary per batch for host events.
          </p>
          {created ? (
            <SecretOnce
              secret={created.secret}
              what="signing secret"
              warning={SECRET_WARNING}
              onDone={() => {
                const n = created.name;
                setCreated(null);
                void navigate(targetPath(n));
              }}
            />
          ) : (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate(
                  { notificationTargetName: name.trim(), kind, url: url.trim() },
                  {
                    onSuccess: (t) => {
                      setName('');
                      setUrl('');
                      if (t.signingSecret) setCreated({ name: t.notificationTargetName, secret: t.signingSecret });
                      else void navigate(targetPath(t.notificationTargetName));
                    },
                  },
                );
              }}
            >
              <div className="row">
                <TextField
                  label="Name"
                  error={fieldError(create.error, 'body.notificationTargetName')}
                  required
                  maxLength={100}
                  value={name}
                  onChange={setName}
                  placeholder="team-chat"
                />
                <Field label="Kind" error={fieldError(create.error, 'body.kind')}>
                  {(p) => (
                    <select
                      {...p}
                      value={kind}
                      onChange={(e) => setKind(e.target.value as NotificationTargetInfo['kind'])}
                    >
                      <option value="webhook">{KIND_TEXT.webhook}</option>
                      <option value="slack">{KIND_TEXT.slack}</option>
                    </select>
                  )}
                </Field>
                <div style={{ flex: 1 }}>
                  <TextField
                    label="URL"
                    hint={kind === 'slack' ? 'the incoming webhook URL (Slack, Mattermost, Rocket.Chat)' : undefined}
                    error={fieldError(create.error, 'body.url')}
                    required
                    value={url}
                    onChange={setUrl}
                    placeholder={
                      kind === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://ci.example.com/hooks/drover'
                    }
                  />
                </div>
              </div>
              <FormActions
                error={create.error}
                shownFields={['body.notificationTargetName', 'body.kind', 'body.url']}
                pending={create.isPending}
                pendingLabel="Creating…"
                disabled={name.trim() === '' || url.trim() === ''}
              >
                Create target
              </FormActions>
            </form>
          )}
        </section>
      ) : null}
      <section className="card" aria-labelledby="targets-h">
        <h2 id="targets-h">Notification targets</h2>
        <QueryBoundary query={list} what="notification targets">
          {(items) => (
            <DataTable
              rows={items}
              rowKey={(t) => t.notificationTargetId}
              empty={
                <EmptyState title="No notification targets yet.">
                  {isAdmin ? null : <p>Notification targets are created by admins.</p>}
                </EmptyState>
              }
              columns={[
                {
                  header: 'Name',
                  cell: (t) => <Link to={targetPath(t.notificationTargetName)}>{t.notificationTargetName}</Link>,
                },
                { header: 'Kind', cell: (t) => KIND_TEXT[t.kind] },
                { header: 'URL', className: 'mono small', cell: (t) => t.url },
                { header: 'Used by', cell: (t) => <UsedBy t={t} /> },
                {
                  header: 'Deliveries',
                  cell: (t) =>
                    t.failedDeliveries > 0 ? (
                      <span className="badge badge-failed">{t.failedDeliveries} failed</span>
                    ) : t.pendingDeliveries > 0 ? (
                      <span className="badge badge-pending">{t.pendingDeliveries} pending</span>
                    ) : (
                      <span className="muted">all delivered</span>
                    ),
                },
              ]}
            />
          )}
        </QueryBoundary>
      </section>
    </div>
  );
}

export function NotificationTargetDetail() {
  const { name = '' } = useParams();
  const isAdmin = useCan('admin');
  const navigate = useNavigate();
  const target = useQuery(notificationTargetQueries.detail(name));
  const deliveries = useQuery(notificationTargetQueries.deliveries(name));
  const test = useSendTestEvent(name);
  const rotate = useRotateSigningSecret(name);
  const redeliver = useRedeliver(name);
  const remove = useConfirmAction(
    useDeleteNotificationTarget(),
    (n: string) => n,
    () => {
      void navigate('/settings/notifications');
    },
  );
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <div className="stack">
      <p>
        <Link to="/settings/notifications">← Notification targets</Link>
      </p>
      <QueryBoundary query={target} what={`notification target ${name}`}>
        {(t) => (
          <section className="card" aria-labelledby="target-h">
            <h2 id="target-h">{t.notificationTargetName}</h2>
            <dl className="fields">
              <dt>Kind</dt>
              <dd>{KIND_TEXT[t.kind]}</dd>
              <dt>URL</dt>
              <dd className="mono small">{t.url}</dd>
              {t.secretPrefix ? (
                <>
                  <dt>Signing secret</dt>
                  <dd className="mono small">{t.secretPrefix}… (shown only when created or rotated)</dd>
                </>
              ) : null}
              <dt>Used by</dt>
              <dd>
                <UsedBy t={t} />
              </dd>
              <dt>Updated</dt>
              <dd>
                <RelativeTime value={t.updateTime} />
              </dd>
            </dl>
            {secret ? (
              <SecretOnce
                secret={secret}
                what="signing secret"
                warning={SECRET_WARNING}
                onDone={() => setSecret(null)}
              />
            ) : null}
            {isAdmin ? (
              <div className="row">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={test.isPending}
                  onClick={() => test.mutate()}
                >
                  {test.isPending ? 'Sending…' : 'Send a test event'}
                </button>
                {t.kind === 'webhook' ? (
                  <button
                    type="button"
                    className="btn"
                    disabled={rotate.isPending}
                    onClick={() => rotate.mutate(undefined, { onSuccess: (r) => setSecret(r.signingSecret ?? null) })}
                  >
                    Rotate secret
                  </button>
                ) : null}
                <button type="button" className="btn btn-danger" onClick={() => remove.ask(t.notificationTargetName)}>
                  Delete
                </button>
              </div>
            ) : null}
            {test.error || rotate.error || redeliver.error ? (
              <p className="notice notice-error" role="alert">
                {errorMessage(test.error ?? rotate.error ?? redeliver.error)}
              </p>
            ) : null}
          </section>
        )}
      </QueryBoundary>
      <section className="card" aria-labelledby="deliveries-h">
        <h2 id="deliveries-h">Delivery log</h2>
        <QueryBoundary query={deliveries} what="deliveries">
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(d) => d.deliveryId}
              label="Deliveries"
              empty={<EmptyState title="Nothing sent yet." />}
              columns={[
                { header: 'Event', cell: (d) => d.eventType },
                {
                  header: 'Deployment',
                  className: 'mono small',
                  cell: (d) =>
                    d.deploymentId ? <Link to={pagePaths.deployment(d.deploymentId)}>{d.deploymentId}</Link> : '—',
                },
                {
                  header: 'Status',
                  cell: (d) => {
                    const s = deliveryState(d);
                    return <span className={`badge badge-${s.tone}`}>{s.text}</span>;
                  },
                },
                { header: 'Answer', cell: (d) => (d.responseStatus === null ? '—' : `HTTP ${d.responseStatus}`) },
                { header: 'Latency', cell: (d) => (d.latencyMs === null ? '—' : `${d.latencyMs} ms`) },
                { header: 'Attempts', cell: (d) => d.attempts },
                {
                  header: 'When',
                  cell: (d) => <RelativeTime value={d.deliveredTime ?? d.lastAttemptTime ?? d.createTime} />,
                },
                {
                  header: 'Details',
                  className: 'small',
                  cell: (d) =>
                    d.summarizedIn
                      ? 'sent in a batch summary'
                      : (d.error ?? (d.responseExcerpt ? <code>{d.responseExcerpt.slice(0, 80)}</code> : '')),
                },
                isAdmin && {
                  header: 'Actions',
                  hiddenHeader: true,
                  cell: (d) =>
                    d.status === 'pending' ? null : (
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={redeliver.isPending}
                        onClick={() => redeliver.mutate(d.deliveryId)}
                      >
                        Redeliver
                      </button>
                    ),
                },
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <ConfirmDialog {...remove.dialog} title={`Delete ${remove.subject ?? ''}?`} confirmLabel="Delete" tone="danger">
        <p>Its delivery log goes with it. A target a group&apos;s trigger names cannot be deleted.</p>
      </ConfirmDialog>
    </div>
  );
}
