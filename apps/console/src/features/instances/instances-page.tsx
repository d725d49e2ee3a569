// The fleet: every registered host, online or not, its tags, which revision of which application it runs, agent
// version and last contact. A host's name opens its details (what it runs per group, tags, deregistration).
import type { InstalledRevisionInfo, InstanceDetail, RevisionInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { agentDownloadQueries } from '../../api/agent-downloads/queries';
import { useCan } from '../../api/auth/permissions';
import { instanceQueries } from '../../api/instances/queries';
import { useRevisionLookup } from '../../api/revisions/queries';
import { Dialog } from '../../components/dialog';
import { FilterChips, SearchBox } from '../../components/filters';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { RevisionLabel } from '../../components/revision-label';
import { EmptyState, QueryBoundary } from '../../components/states';
import { AgentStatusBadge } from '../../components/status-badge';
import { pagePaths } from '../../lib/page-paths';
import { LatestUpgrade, outdatedHosts, UpgradeOutdatedButton } from './agent-upgrades';
import { InstanceDetails } from './instance-details';

type Show = 'all' | 'online' | 'offline' | 'deregistered';

export function filterInstances(items: readonly InstanceDetail[], show: Show, search: string): InstanceDetail[] {
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
      i.tags.some((t) => `${t.key}=${t.value}`.toLowerCase().includes(q)) ||
      i.installedRevisions.some((r) => r.applicationName.toLowerCase().includes(q))
    );
  });
}

const ROW = 40;
const COLUMNS = ['Name', 'Agent', 'Tags', 'Runs', 'Last seen', 'Agent version', 'Platform'];
const TEMPLATE = 'minmax(160px, 1.2fr) 90px minmax(140px, 1.5fr) minmax(180px, 2fr) 130px 110px minmax(100px, 1fr)';

export function InstancesPage() {
  const list = useQuery(instanceQueries.list({}));
  const latest = useQuery(agentDownloadQueries.list()).data?.version ?? null;
  const [show, setShow] = useState<Show>('all');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const isAdmin = useCan('admin');
  const items = useMemo(() => list.data ?? [], [list.data]);
  const outdated = useMemo(() => outdatedHosts(items, latest), [items, latest]);
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
  const rows = virtualizer.getVirtualItems().flatMap((v) => {
    const i = visible[v.index];
    return i ? [{ start: v.start, instance: i }] : [];
  });
  // Only the rows on screen look their revisions up: a 2,000-host fleet costs one read per revision in view.
  const revisions = useRevisionLookup(rows.flatMap((r) => r.instance.installedRevisions));

  return (
    <>
      <PageHeader
        title="Instances"
        subtitle="Hosts running drover-agent. A host is online when its agent polled recently."
        actions={
          <>
            {isAdmin && latest ? <UpgradeOutdatedButton outdated={outdated} latest={latest} /> : null}
            <Link className="btn" to="/settings/registration-tokens">
              Register hosts
            </Link>
          </>
        }
      />
      {items.length > 0 ? <LatestUpgrade /> : null}
      <QueryBoundary query={list} what="instances">
        {() =>
          items.length === 0 ? (
            <EmptyState title="No hosts have registered yet.">
              <p>
                Create an <Link to="/settings/registration-tokens">agent registration token</Link>: the console then
                shows the one line to run on each host, as root:{' '}
                <code>curl -fsSL {window.location.origin}/install.sh | sudo sh -s -- --token drr_…</code>. It installs
                the agent (no Node needed), registers the host and starts it.
              </p>
            </EmptyState>
          ) : (
            <>
              <div className="grid-toolbar">
                <FilterChips
                  label="Show"
                  value={show}
                  onChange={setShow}
                  options={(['all', 'online', 'offline', 'deregistered'] as const).map((k) => ({
                    value: k,
                    label: k === 'all' ? 'Registered' : k,
                    count: counts[k],
                  }))}
                />
                <SearchBox
                  label="Search by name, hostname, tag or application"
                  placeholder="Name, hostname, key=value or application"
                  value={search}
                  onChange={setSearch}
                />
              </div>
              <div className="hostgrid" role="table" aria-label="Instances" aria-rowcount={visible.length + 1}>
                <div className="hostgrid-scroll" ref={scrollRef}>
                  <div
                    className="hostgrid-head"
                    role="row"
                    style={{ gridTemplateColumns: TEMPLATE, minHeight: 0, alignItems: 'center' }}
                  >
                    {COLUMNS.map((h) => (
                      <div role="columnheader" key={h} style={{ padding: '8px' }}>
                        {h}
                      </div>
                    ))}
                  </div>
                  <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                    {rows.map(({ start, instance: i }) => (
                      <div
                        key={i.instanceId}
                        className="hostgrid-row"
                        role="row"
                        style={{ transform: `translateY(${start}px)`, gridTemplateColumns: TEMPLATE, height: ROW }}
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
                          <AgentStatusBadge online={i.online} deregistered={i.registrationStatus === 'Deregistered'} />
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
                          <Runs installed={i.installedRevisions} revisions={revisions} />
                        </div>
                        <div className="host-meta" role="cell">
                          <RelativeTime value={i.lastSeenAt} fallback="never" />
                        </div>
                        <div className="host-meta mono" role="cell">
                          <AgentVersion version={i.agentVersion} latest={latest} />
                        </div>
                        <div className="host-meta" role="cell" title={i.hostname ?? undefined}>
                          {i.platform ?? '—'}
                        </div>
                      </div>
                    ))}
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

/** The host's agent version, marked outdated when the server's own build is another one. */
export function AgentVersion({ version, latest }: { version: string | null; latest: string | null }) {
  if (!version) return <>—</>;
  if (!latest || version === latest) return <>{version}</>;
  return (
    <span title={`This server's agent is ${latest}: an admin upgrades it with Upgrade outdated agents`}>
      {version} <span className="badge badge-offline">outdated</span>
    </span>
  );
}

/** One line per deployment group the host was deployed by: the application (linked to the group) and revision. */
export function Runs({
  installed,
  revisions,
}: {
  installed: readonly InstalledRevisionInfo[];
  revisions: ReadonlyMap<string, RevisionInfo>;
}) {
  if (installed.length === 0) return <span className="muted">nothing deployed</span>;
  return (
    <span className="runs">
      {installed.map((r) => (
        <span key={r.deploymentGroupId} className="runs-entry">
          <Link
            to={pagePaths.group(r.applicationName, r.deploymentGroupName)}
            title={`${r.applicationName} / ${r.deploymentGroupName}`}
          >
            {r.applicationName}
          </Link>{' '}
          <RevisionLabel revisionId={r.revisionId} revision={revisions.get(r.revisionId)} withDescription={false} />
        </span>
      ))}
    </span>
  );
}
