// A revision as people know it: the short SHA-256 of its bundle (the whole hash on hover) and its description.
import type { RevisionInfo } from '@drover/contracts';
import { shortSha } from '../lib/format';

export function RevisionLabel({
  revisionId,
  revision,
  withDescription = true,
}: {
  revisionId: string;
  /** Unknown while its details load, or once the revision is gone: then the start of its id stands in. */
  revision: Pick<RevisionInfo, 'sha256' | 'description'> | undefined;
  /** Under the hash; off where a row has one line (the description is still in the hover text). */
  withDescription?: boolean;
}) {
  if (!revision) {
    return (
      <span className="mono" title={`revision ${revisionId}`}>
        {revisionId.slice(0, 8)}
      </span>
    );
  }
  const hover = revision.description ? `${revision.sha256}\n${revision.description}` : revision.sha256;
  return (
    <>
      <span className="mono" title={hover}>
        {shortSha(revision.sha256)}
      </span>
      {withDescription && revision.description ? <div className="small muted">{revision.description}</div> : null}
    </>
  );
}
