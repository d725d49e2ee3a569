// Upgrading agents from the Instances page (admins): one button upgrades every host whose agent is not the server's
// build, after a confirmation that lists them; the latest upgrade is followed live above the fleet, host by host.
import type { AgentUpgradeInfo, AgentUpgradeTargetStatus, InstanceDetail } from '@drover/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useCreateAgentUpgrade } from '../../api/agent-upgrades/mutations';
import { agentUpgradeQueries } from '../../api/agent-upgrades/queries';
import { instanceKeys } from '../../api/instances/keys';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { RelativeTime } from '../../components/relative-time';

/** Registered hosts whose agent reports another version than the server's build. */
export function outdatedHosts(items: readonly InstanceDetail[], latest: string | null): InstanceDetail[] {
  if (!latest) return [];
  return items.filter((i) => i.registrationStatus === 'Registered' && i.agentVersion !== latest);
}

const TONE: Record<AgentUpgradeTargetStatus, string> = {
  Pending: 'pending',
  Sent: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
};
const LABEL: Record<AgentUpgradeTargetStatus, string> = {
  Pending: 'waiting for the agent',
  Sent: 'upgrading',
  Succeeded: 'upgraded',
  Failed: 'failed',
};

export function UpgradeOutdatedButton({ outdated, latest }: { outdated: InstanceDetail[]; latest: string }) {
  const upgrade = useConfirmAction(useCreateAgentUpgrade(), () => ({ allOutdated: true as const }));
  if (outdated.length === 0) return null;
  const names = outdated.map((i) => i.instanceName);
  return (
    <>
      <button type="button" className="btn" onClick={() => upgrade.ask(null)}>
        Upgrade {outdated.length} outdated agent{outdated.length === 1 ? '' : 's'}
      </button>
      <ConfirmDialog {...upgrade.dialog} title={`Upgrade agents to ${latest}?`} confirmLabel="Upgrade agents">
        <p>
          {names.slice(0, 10).join(', ')}
          {names.length > 10 ? ` and ${names.length - 10} more` : ''}
          {names.length === 1 ? ' runs' : ' run'} an older agent. Each agent takes the upgrade when it has nothing to
          run, checks this server&apos;s build, replaces itself and restarts: no lifecycle event is interrupted. Hosts
          running one now are refused; offline hosts upgrade when they come back.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** The latest upgrade while it runs (and its outcome once it has ended), refreshed every 2 s until then. */
export function LatestUpgrade() {
  const latest = useQuery(agentUpgradeQueries.latest());
  const qc = useQueryClient();
  const u = latest.data;
  const ended = u ? u.status !== 'InProgress' : false;
  // Hosts report their new version as they come back: show it in the fleet once the upgrade ends.
  useEffect(() => {
    if (ended) void qc.invalidateQueries({ queryKey: instanceKeys.all });
  }, [ended, qc]);
  if (!u) return null;
  return <UpgradePanel upgrade={u} />;
}

export function UpgradePanel({ upgrade: u }: { upgrade: AgentUpgradeInfo }) {
  const open = u.counts.pending + u.counts.sent;
  const headline =
    u.status === 'InProgress'
      ? `Upgrading agents to ${u.targetVersion}: ${u.counts.succeeded} of ${u.targets.length} done`
      : u.status === 'Succeeded'
        ? `Agents upgraded to ${u.targetVersion}`
        : `Agent upgrade to ${u.targetVersion}: ${u.counts.failed} of ${u.targets.length} failed`;
  return (
    <section className="card" aria-label="Agent upgrade" aria-live="polite">
      <h2 style={{ marginTop: 0 }}>{headline}</h2>
      <p className="muted">
        Started <RelativeTime value={u.createdAt} /> by {u.createdBy}
        {open ? ` · ${open} still to go` : ''}
      </p>
      <DataTable
        label="Hosts in the agent upgrade"
        rows={u.targets}
        rowKey={(t) => t.instanceId}
        columns={[
          { header: 'Host', className: 'mono', cell: (t) => t.instanceName },
          { header: 'From', className: 'mono', cell: (t) => t.fromVersion ?? '—' },
          {
            header: 'Status',
            cell: (t) => <span className={`badge badge-${TONE[t.status]}`}>{LABEL[t.status]}</span>,
          },
          { header: 'Why', cell: (t) => t.message ?? '' },
        ]}
      />
    </section>
  );
}
