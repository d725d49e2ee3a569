// The fleet: every registered host, online or not, its tags, agent version, last contact, and (for the selected
// host) which revision of which application it runs.
import type { InstanceInfo, Tag } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { errorMessage } from '../../api/http';
import { useAddInstanceTags, useDeregisterInstance, useRemoveInstanceTag } from '../../api/instances/mutations';
import { instanceQueries } from '../../api/instances/queries';
import { CopyableId } from '../../components/copy-button';
import { ConfirmDialog, Dialog } from '../../components/dialog';
import { FormError } from '../../components/form';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { parseTags } from '../../lib/tags';

type Show = 'all' | 'online' | 'offline' | 'deregistered';

export function filterInstances(items: readonly InstanceInfo[], show: Show, search: string): InstanceInfo[] {
  const q = search.trim().toLowerCase();
  return items.filter((i) => {
    const registered = i.registrationStatus === 'Registered';
    const okShow =
      show === 'all'
        ? registered
        : show === 'deregistered'
          ? !registered
          : registered && (show === 'online') === i.online;
    if (!okShow) return false;
    if (q === '') return true;
    return (
      i.instanceName.toLowerCase().includes(q) ||
      (i.hostname ?? '').toLowerCase().includes(q) ||
      i.tags.some((t) => `${t.key}=${t.value}`.toLowerCase().includes(q))
    );
  });
}

const ROW = 40;

export function InstancesPage() {
  const list = useQuery(instanceQueries.list({}));
  const [show, setShow] = useState<Show>('all');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const items = useMemo(() => list.data ?? [], [list.data]);
  const visible = useMemo(() => filterInstances(items, show, search), [items, show, search]);
  const counts = useMemo(() => {
    const reg = items.filter((i) => i.registrationStatus === 'Registered');
    return {
      all: reg.length,
      online: reg.filter((i) => i.online).length,
      offline: reg.filter((i) => !i.online).length,
      deregistered: items.length - reg.length,
    };
  }, [items]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 10,
    initialRect: { width: 1000, height: 600 },
  });
  const template = 'minmax(160px, 1.2fr) 90px minmax(160px, 2fr) 140px 120px minmax(120px, 1fr)';

  return (
    <>
      <PageHeader
        title="Instances"
        subtitle="Hosts running drover-agent. A host is online when its agent polled recently."
        actions={
          <Link className="btn" to="/settings/registration-tokens">
            Register hosts
          </Link>
        }
      />
      <QueryBoundary query={list} what="instances">
        {() =>
          items.length === 0 ? (
            <EmptyState title="No hosts have registered yet.">
              <p>
                Create an <Link to="/settings/registration-tokens">agent registration token</Link>, then run{' '}
                <code>drover-agent register --token drr_… --name web-1 --tag env=prod</code> on each host.
              </p>
            </EmptyState>
          ) : (
            <>
              <div className="grid-toolbar">
                <div className="chips" role="group" aria-label="Show">
                  {(['all', 'online', 'offline', 'deregistered'] as const).map((k) => (
                    <button key={k} type="button" className="chip" aria-pressed={show === k} onClick={() => setShow(k)}>
                      {k === 'all' ? 'Registered' : k}
                      <span className="count">{counts[k]}</span>
                    </button>
                  ))}
                </div>
                <label>
                  <span className="visually-hidden">Search by name, hostname or tag</span>
                  <input
                    type="search"
                    placeholder="Name, hostname or key=value"
                    value={search}
                    onChange={(e) => setSearch(e.target.value)}
                  />
                </label>
              </div>
              <div className="hostgrid" role="table" aria-label="Instances" aria-rowcount={visible.length + 1}>
                <div className="hostgrid-scroll" ref={scrollRef}>
                  <div
                    className="hostgrid-head"
                    role="row"
                    style={{ gridTemplateColumns: template, minHeight: 0, alignItems: 'center' }}
                  >
                    {['Name', 'Agent', 'Tags', 'Last seen', 'Agent version', 'Platform'].map((h) => (
                      <div role="columnheader" key={h} style={{ padding: '8px' }}>
                        {h}
                      </div>
                    ))}
                  </div>
                  <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                    {virtualizer.getVirtualItems().map((v) => {
                      const i = visible[v.index];
                      if (!i) return null;
                      return (
                        <div
                          key={i.instanceId}
                          className="hostgrid-row"
                          role="row"
                          style={{ transform: `translateY(${v.start}px)`, gridTemplateColumns: template, height: ROW }}
                        >
                          <div className="host-name" role="cell">
                            <button
                              type="button"
                              className="link-button mono"
                              onClick={() => setSelected(i.instanceName)}
                            >
                              {i.instanceName}
                            </button>
                          </div>
                          <div role="cell">
                            {i.registrationStatus === 'Deregistered' ? (
                              <span className="badge badge-skipped">deregistered</span>
                            ) : (
                              <span className={`badge badge-${i.online ? 'online' : 'offline'}`}>
                                {i.online ? 'online' : 'offline'}
                              </span>
                            )}
                          </div>
                          <div className="host-meta tags" role="cell" style={{ flexWrap: 'nowrap' }}>
                            {i.tags.map((t) => (
                              <span className="tag" key={t.key}>
                                {t.key}
                                {t.value ? `=${t.value}` : ''}
                              </span>
                            ))}
                          </div>
                          <div className="host-meta" role="cell">
                            <RelativeTime value={i.lastSeenAt} fallback="never" />
                          </div>
                          <div className="host-meta mono" role="cell">
                            {i.agentVersion ?? '—'}
                          </div>
                          <div className="host-meta" role="cell" title={i.hostname ?? undefined}>
                            {i.platform ?? '—'}
                          </div>
                        </div>
                      );
                    })}
                  </div>
                  {visible.length === 0 ? (
                    <div className="state" style={{ margin: 12 }}>
                      No host matches these filters.
                    </div>
                  ) : null}
                </div>
              </div>
            </>
          )
        }
      </QueryBoundary>
      <Dialog
        open={selected !== null}
        title={selected ?? ''}
        onClose={() => setSelected(null)}
        wide
        footer={
          <button type="button" className="btn" onClick={() => setSelected(null)}>
            Close
          </button>
        }
      >
        {selected ? <InstanceDetails name={selected} /> : null}
      </Dialog>
    </>
  );
}

function InstanceDetails({ name }: { name: string }) {
  const detail = useQuery(instanceQueries.detail(name));
  const canTag = useCan('deployer');
  const isAdmin = useCan('admin');
  return (
    <QueryBoundary query={detail} what="the instance">
      {(i) => (
        <div className="stack">
          <dl className="props">
            <dt>Instance id</dt>
            <dd>
              <CopyableId value={i.instanceId} what="instance id" />
            </dd>
            <dt>Agent</dt>
            <dd>
              {i.online ? 'online' : 'offline'} · last seen <RelativeTime value={i.lastSeenAt} fallback="never" /> ·
              version {i.agentVersion ?? 'unknown'}
            </dd>
            <dt>Hostname</dt>
            <dd>{i.hostname ?? '—'}</dd>
            <dt>Platform</dt>
            <dd>{i.platform ?? '—'}</dd>
            <dt>Registered</dt>
            <dd>
              <RelativeTime value={i.registerTime} />
              {i.deregisterTime ? (
                <>
                  {' '}
                  · deregistered <RelativeTime value={i.deregisterTime} />
                </>
              ) : null}
            </dd>
            <dt>Tags</dt>
            <dd>
              <InstanceTags
                name={i.instanceName}
                tags={i.tags}
                editable={canTag && i.registrationStatus === 'Registered'}
              />
            </dd>
          </dl>
          <h3>What runs here</h3>
          {i.installedRevisions.length === 0 ? (
            <p className="muted">Nothing has been deployed to this host yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Application / group</th>
                    <th scope="col">Revision</th>
                    <th scope="col">Deployment</th>
                    <th scope="col">Installed</th>
                  </tr>
                </thead>
                <tbody>
                  {i.installedRevisions.map((r) => (
                    <tr key={r.deploymentGroupId}>
                      <td>
                        <Link to={`/applications/${encodeURIComponent(r.applicationName)}`}>{r.applicationName}</Link> /{' '}
                        <Link
                          to={`/applications/${encodeURIComponent(r.applicationName)}/groups/${encodeURIComponent(r.deploymentGroupName)}`}
                        >
                          {r.deploymentGroupName}
                        </Link>
                      </td>
                      <td className="mono small">{r.revisionId.slice(0, 8)}</td>
                      <td>
                        <Link className="mono" to={`/deployments/${r.deploymentId}`}>
                          {r.deploymentId}
                        </Link>
                      </td>
                      <td>
                        <RelativeTime value={r.installedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {isAdmin && i.registrationStatus === 'Registered' ? <Deregister name={i.instanceName} /> : null}
        </div>
      )}
    </QueryBoundary>
  );
}

function InstanceTags({ name, tags, editable }: { name: string; tags: readonly Tag[]; editable: boolean }) {
  const add = useAddInstanceTags(name);
  const remove = useRemoveInstanceTag(name);
  const [text, setText] = useState('');
  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="tags">
        {tags.length === 0 ? <span className="muted">none</span> : null}
        {tags.map((t) => (
          <span className="tag" key={t.key}>
            {`${t.key}${t.value ? `=${t.value}` : ''}`}
            {editable ? (
              <button
                type="button"
                className="link-button"
                aria-label={`Remove tag ${t.key}`}
                disabled={remove.isPending}
                onClick={() => remove.mutate(t.key)}
              >
                {' '}
                ✕
              </button>
            ) : null}
          </span>
        ))}
      </div>
      {editable ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = parseTags(text);
            if (parsed.length) add.mutate(parsed, { onSuccess: () => setText('') });
          }}
        >
          <label className="field">
            <span className="visually-hidden">Tags to add</span>
            <input type="text" placeholder="key=value, …" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small" disabled={add.isPending || text.trim() === ''}>
            Add tags
          </button>
        </form>
      ) : null}
      <FormError error={add.error ?? remove.error} />
    </div>
  );
}

function Deregister({ name }: { name: string }) {
  const deregister = useDeregisterInstance(name);
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        Deregister {name}
      </button>
      <ConfirmDialog
        open={open}
        title={`Deregister ${name}?`}
        confirmLabel="Deregister"
        tone="danger"
        pending={deregister.isPending}
        error={deregister.error ? errorMessage(deregister.error) : null}
        onCancel={() => {
          deregister.reset();
          setOpen(false);
        }}
        onConfirm={() => deregister.mutate(undefined, { onSuccess: () => setOpen(false) })}
      >
        <p>
          The host stops being a deployment target and its agent&apos;s credential is refused from now on. Nothing is
          uninstalled from it. To bring it back, register the agent again.
        </p>
      </ConfirmDialog>
    </div>
  );
}
