// Overview counts and a progress bar, from the deployment summary (kept current by the stream). The API counts a host
// stopped on request as Failed (CodeDeploy's codes); the page, which knows the hosts, passes how many those are.
import type { DeploymentOverview } from '@drover/contracts';

const ORDER: { key: keyof DeploymentOverview; label: string; tone: string }[] = [
  { key: 'Succeeded', label: 'Succeeded', tone: 'succeeded' },
  { key: 'Failed', label: 'Failed', tone: 'failed' },
  { key: 'InProgress', label: 'In progress', tone: 'running' },
  { key: 'Pending', label: 'Pending', tone: 'pending' },
  { key: 'Skipped', label: 'Skipped', tone: 'skipped' },
  { key: 'Ready', label: 'Ready', tone: 'ready' },
];

export function Overview({ overview: given, stopped = 0 }: { overview: DeploymentOverview; stopped?: number }) {
  const overview = { ...given, Failed: Math.max(0, given.Failed - stopped) };
  const total = ORDER.reduce((n, o) => n + overview[o.key], 0) + stopped;
  const pct = (n: number) => (total === 0 ? 0 : (n / total) * 100);
  return (
    <div>
      <div className="overview">
        <div className="stat">
          <div className="stat-value">{total}</div>
          <div className="stat-label">Hosts</div>
        </div>
        {ORDER.filter((o) => o.key !== 'Ready' || overview.Ready > 0).map((o) => (
          <div className={`stat stat-${o.tone}`} key={o.key}>
            <div className="stat-value">{overview[o.key]}</div>
            <div className="stat-label">{o.label}</div>
          </div>
        ))}
        {stopped > 0 ? (
          <div className="stat stat-stopped">
            <div className="stat-value">{stopped}</div>
            <div className="stat-label">Stopped</div>
          </div>
        ) : null}
      </div>
      <div
        className="progress"
        role="img"
        aria-label={`${overview.Succeeded} of ${total} hosts succeeded, ${overview.Failed} failed${stopped > 0 ? `, ${stopped} stopped` : ''}, ${overview.InProgress} in progress`}
      >
        <span className="p-succeeded" style={{ width: `${pct(overview.Succeeded)}%` }} />
        <span className="p-ready" style={{ width: `${pct(overview.Ready)}%` }} />
        <span className="p-failed" style={{ width: `${pct(overview.Failed)}%` }} />
        <span className="p-stopped" style={{ width: `${pct(stopped)}%` }} />
        <span className="p-running" style={{ width: `${pct(overview.InProgress)}%` }} />
        <span className="p-skipped" style={{ width: `${pct(overview.Skipped)}%` }} />
      </div>
    </div>
  );
}
