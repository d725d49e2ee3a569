// The application's latest Git and S3 registrations (from the API, the CLI or a push webhook), followed live while
// one runs: its progress line (fetching, receiving objects, building), then the revision it gave or why it failed.
import type { RevisionJobInfo } from '@drover/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { revisionJobQueries } from '../../api/revision-sources/queries';
import { revisionKeys } from '../../api/revisions/keys';
import { RelativeTime } from '../../components/relative-time';

const TONE: Record<RevisionJobInfo['status'], string> = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
};

function describe(j: RevisionJobInfo): string {
  const r = j.request as Record<string, string | undefined>;
  if (j.sourceType === 'S3') return `s3://${r.bucket}/${r.key}`;
  const at = r.commit ? r.commit.slice(0, 12) : r.ref;
  return `${r.repositoryUrl}${r.path ? ` (${r.path})` : ''} @ ${at}${r.commit && r.ref ? ` (${r.ref})` : ''}`;
}

export function RegistrationJobs({ applicationName }: { applicationName: string }) {
  const jobs = useQuery(revisionJobQueries.recent(applicationName));
  const qc = useQueryClient();
  const finished = useRef(new Set<string>());
  // A registration that just succeeded adds a revision: refresh the list below.
  useEffect(() => {
    for (const j of jobs.data?.items ?? []) {
      if (j.status === 'Succeeded' && !finished.current.has(j.jobId)) {
        void qc.invalidateQueries({ queryKey: revisionKeys.list(applicationName) });
        finished.current.add(j.jobId);
      }
    }
  }, [jobs.data, qc, applicationName]);
  const items = jobs.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="registrations-h">
      <h2 id="registrations-h">Registrations from Git and S3</h2>
      <ul>
        {items.map((j) => (
          <li key={j.jobId} aria-label={`${j.sourceType} registration ${j.status}`}>
            <span className={`badge badge-${TONE[j.status]}`}>{j.status}</span>{' '}
            <span className="mono">{describe(j)}</span>{' '}
            <span className="muted small">
              <RelativeTime value={j.createTime} />
            </span>
            {j.status === 'Failed' && j.error ? (
              <div className="small" role="status">
                {j.error.code}: {j.error.message}
              </div>
            ) : j.progress ? (
              <div className="small muted" role={j.status === 'Running' ? 'status' : undefined}>
                {j.progress}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
