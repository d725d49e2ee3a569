// The deployment page's "Source" row: where the deployed revision came from (its commit, object or upload), read once
// per revision (a revision never changes).
import { useQuery } from '@tanstack/react-query';
import { revisionQueries } from '../../api/revisions/queries';
import { RevisionSource } from '../../components/revision-source';

export function DeploymentRevisionSource({
  applicationName,
  revisionId,
}: {
  applicationName: string;
  revisionId: string;
}) {
  const q = useQuery(revisionQueries.detail(applicationName, revisionId));
  if (!q.data) return <span className="muted">{q.isError ? 'unavailable' : '…'}</span>;
  return <RevisionSource revision={q.data} />;
}
