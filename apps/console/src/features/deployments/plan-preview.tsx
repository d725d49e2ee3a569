// The batch plan, shown before a deployment starts: which hosts go in which wave, and the minimum-healthy arithmetic.
import type { PlanResponse } from '@drover/contracts';
import { plural } from '../../lib/format';

export const MAX_BATCHES_SHOWN = 12;
export const MAX_HOSTS_PER_BATCH_SHOWN = 40;

function describeMinimum(p: PlanResponse): string {
  const { type, value } = p.deploymentConfig.minimumHealthyHosts;
  if (type === 'MOST_CONCURRENCY') return 'all but one';
  if (type === 'FLEET_PERCENT') return `${value}% of the fleet`;
  return plural(value, 'host');
}

export function PlanPreview({ plan }: { plan: PlanResponse }) {
  const offline = new Set(plan.offlineHosts);
  const shown = plan.batches.slice(0, MAX_BATCHES_SHOWN);
  return (
    <div className="stack" aria-label="Batch plan">
      {plan.ok ? (
        <p className="notice">{plan.explanation}</p>
      ) : (
        <div className="form-error" role="alert">
          <p>
            <strong>This deployment cannot start{plan.errorCode ? ` (${plan.errorCode})` : ''}.</strong>{' '}
            {plan.explanation}
          </p>
        </div>
      )}
      <dl className="props">
        <dt>Configuration</dt>
        <dd>
          {plan.deploymentConfig.name} <span className="muted">(keep {describeMinimum(plan)} healthy)</span>
        </dd>
        <dt>Hosts</dt>
        <dd>{plan.hostCount}</dd>
        <dt>Minimum healthy</dt>
        <dd>{plan.minimumHealthyHosts}</dd>
        {plan.ok ? (
          <>
            <dt>At a time</dt>
            <dd>up to {plural(plan.batchSize, 'host')}</dd>
            <dt>Succeeds if</dt>
            <dd>at least {plural(plan.requiredSuccesses, 'host')} succeed</dd>
            <dt>Batches</dt>
            <dd>{plan.batches.length}</dd>
          </>
        ) : null}
      </dl>
      {plan.offlineHosts.length > 0 ? (
        <div className="notice notice-warning" role="note">
          {plural(plan.offlineHosts.length, 'host')} {plan.offlineHosts.length === 1 ? 'is' : 'are'} offline now and
          will fail unless {plan.offlineHosts.length === 1 ? 'its agent comes' : 'their agents come'} back:{' '}
          <span className="mono small">
            {plan.offlineHosts.slice(0, 10).join(', ')}
            {plan.offlineHosts.length > 10 ? ` and ${plan.offlineHosts.length - 10} more` : ''}
          </span>
        </div>
      ) : null}
      {plan.ok && shown.length > 0 ? (
        <ol className="plan-batches" aria-label="Batches">
          {shown.map((hosts, i) => (
            <li className="plan-batch" key={i}>
              <span className="plan-batch-label">
                Batch {i + 1} <span className="muted">({hosts.length})</span>
              </span>
              <span className="tags">
                {hosts.slice(0, MAX_HOSTS_PER_BATCH_SHOWN).map((h) => (
                  <span
                    key={h.instanceName}
                    className={`host-pill ${offline.has(h.instanceName) || !h.online ? 'offline' : ''}`}
                    title={h.online ? 'agent online' : 'agent offline'}
                  >
                    {h.instanceName}
                    {h.online ? null : <span className="visually-hidden"> (offline)</span>}
                  </span>
                ))}
                {hosts.length > MAX_HOSTS_PER_BATCH_SHOWN ? (
                  <span className="small muted">+{hosts.length - MAX_HOSTS_PER_BATCH_SHOWN} more</span>
                ) : null}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {plan.batches.length > MAX_BATCHES_SHOWN ? (
        <p className="small muted">
          … and {plural(plan.batches.length - MAX_BATCHES_SHOWN, 'more batch', 'more batches')} (
          {plan.batches.slice(MAX_BATCHES_SHOWN).reduce((n, b) => n + b.length, 0)} hosts).
        </p>
      ) : null}
    </div>
  );
}
