// The load balancers' view of a deployment's hosts: each balancer the deployment drives is read every 2 s while it
// runs (GET /v1/load-balancers/:name/servers), and each host's servers in the deployment's backends are shown next to
// it in the grid. A balancer that cannot be read says why, plainly.
import {
  isTerminalDeploymentStatus,
  type BalancerServer,
  type DeploymentInfo,
  type LoadBalancerStatus,
  type TargetInfo,
} from '@drover/contracts';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { loadBalancerKeys } from '../../api/load-balancers/keys';
import { loadBalancerQueries, SERVERS_POLL_MS } from '../../api/load-balancers/queries';
import { RelativeTime } from '../../components/relative-time';
import { describeServer, ServerStatus } from '../../components/server-status';
import { pagePaths } from '../../lib/page-paths';
import type { ExtraColumn } from './host-grid';

export interface BalancerReading {
  loadBalancerName: string;
  /** The backends of this balancer that the deployment drives. */
  backends: string[];
  status: LoadBalancerStatus | undefined;
  /** The read itself failed (not found, no answer); a balancer that answered "unreachable" is in `status`. */
  error: unknown;
}

export interface HostServer {
  loadBalancerName: string;
  server: BalancerServer;
}

/** The deployment's balancers, each with the backends it drives there, in the order the deployment names them. */
export function bindingsByBalancer(bindings: DeploymentInfo['loadBalancers']): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const b of bindings) {
    const list = out.get(b.loadBalancerName);
    if (list) list.push(b.backend);
    else out.set(b.loadBalancerName, [b.backend]);
  }
  return out;
}

/** Each host's servers in the backends the deployment drives (a host may sit in several backends or balancers). */
export function serversByHost(readings: readonly BalancerReading[]): Map<string, HostServer[]> {
  const out = new Map<string, HostServer[]>();
  for (const r of readings) {
    if (!r.status?.reachable) continue;
    const backends = new Set(r.backends);
    for (const server of r.status.servers) {
      if (!server.instanceName || !backends.has(server.backend)) continue;
      const entry = { loadBalancerName: r.loadBalancerName, server };
      const list = out.get(server.instanceName);
      if (list) list.push(entry);
      else out.set(server.instanceName, [entry]);
    }
  }
  return out;
}

/** Reads every balancer the deployment drives: every 2 s until it ends, then once. The answer keeps its identity
 *  while nothing changed, so the grid's memoised rows stay put between reads. */
export function useDeploymentBalancers(d: DeploymentInfo | undefined): BalancerReading[] {
  const loadBalancers = d?.loadBalancers;
  const bindings = useMemo(() => [...bindingsByBalancer(loadBalancers ?? [])], [loadBalancers]);
  const ended = d !== undefined && isTerminalDeploymentStatus(d.status);
  const poll = !d || ended ? false : SERVERS_POLL_MS;
  // The last poll may predate the deployment's last traffic step: read once more when it ends.
  const qc = useQueryClient();
  const wasRunning = useRef(false);
  useEffect(() => {
    if (d && !ended) wasRunning.current = true;
    if (!ended || !wasRunning.current) return;
    wasRunning.current = false;
    for (const [name] of bindings) void qc.invalidateQueries({ queryKey: loadBalancerKeys.servers(name) });
  }, [d, ended, bindings, qc]);
  const combine = useCallback(
    (results: { data?: LoadBalancerStatus | undefined; error: unknown }[]): BalancerReading[] =>
      bindings.map(([name, backends], i) => ({
        loadBalancerName: name,
        backends,
        status: results[i]?.data,
        error: results[i]?.error ?? null,
      })),
    [bindings],
  );
  return useQueries({
    queries: bindings.map(([name]) => ({ ...loadBalancerQueries.servers(name), refetchInterval: poll })),
    combine,
  });
}

/** The grid column: each host's status word, sessions and weight as its balancer sees it now. */
export function balancerColumn(readings: readonly BalancerReading[]): ExtraColumn {
  const byHost = serversByHost(readings);
  const loading = readings.some((r) => !r.status && !r.error);
  const readable = readings.some((r) => r.status?.reachable);
  return {
    header: 'Load balancer',
    width: '156px',
    cell: (t: TargetInfo) => (
      <HostBalancerCell entries={byHost.get(t.targetId)} loading={loading} readable={readable} />
    ),
  };
}

function HostBalancerCell({
  entries,
  loading,
  readable,
}: {
  entries: HostServer[] | undefined;
  loading: boolean;
  readable: boolean;
}) {
  if (!entries || entries.length === 0) {
    const text = readable ? 'not in the balancer' : loading ? 'reading…' : 'balancer unreadable';
    return <span className="muted small">{text}</span>;
  }
  const [first] = entries;
  if (!first) return null;
  const full = entries.map((e) => describeServer(e.server, e.loadBalancerName)).join('; ');
  return (
    <span className="lb-cell" title={full}>
      <span aria-hidden="true">
        <ServerStatus status={first.server.status} />
        <span className="lb-figures">
          {' '}
          {first.server.sessions} sess · w{first.server.weight}
        </span>
        {entries.length > 1 ? <span className="muted"> +{entries.length - 1}</span> : null}
      </span>
      <span className="visually-hidden">{full}</span>
    </span>
  );
}

/** One line per balancer: which backends, when it was read, or why it could not be read. */
export function BalancerReadings({ readings }: { readings: readonly BalancerReading[] }) {
  if (readings.length === 0) return null;
  return (
    <ul className="lb-readings" aria-label="Load balancers of this deployment">
      {readings.map((r) => (
        <li key={r.loadBalancerName}>
          <Link to={pagePaths.loadBalancer(r.loadBalancerName)}>{r.loadBalancerName}</Link>{' '}
          <span className="muted">backend{r.backends.length === 1 ? '' : 's'}</span>{' '}
          <span className="mono">{r.backends.join(', ')}</span>
          {' · '}
          {r.error ? (
            <span className="lb-problem" role="note">
              <span aria-hidden="true">⚠ </span>could not be read: {errorMessage(r.error)}
            </span>
          ) : !r.status ? (
            <span className="muted">reading…</span>
          ) : !r.status.reachable ? (
            <span className="lb-problem" role="note">
              <span aria-hidden="true">⚠ </span>unreachable: {r.status.error ?? 'no reason given'}
            </span>
          ) : (
            <span className="muted">
              {serverCount(r)} · read <RelativeTime value={r.status.readAt} />
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function serverCount(r: BalancerReading): string {
  const backends = new Set(r.backends);
  const n = r.status?.servers.filter((s) => backends.has(s.backend)).length ?? 0;
  return `${n} server${n === 1 ? '' : 's'}`;
}
