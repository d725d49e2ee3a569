// What "Start deployment" will send out, said in full before it is pressed: the revision's description, SHA-256,
// id, type, size and when it was uploaded; or, while a bundle is chosen but not uploaded, that nothing is ready yet.
import type { RevisionInfo } from '@drover/contracts';
import { formatBytes, formatExact, shortSha } from '../../lib/format';
import { RelativeTime } from '../../components/relative-time';

export type DeploySource =
  { kind: 'revision'; revision: RevisionInfo } | { kind: 'upload-pending'; fileName: string | null } | { kind: 'none' };

export function RevisionToDeploy({ source }: { source: DeploySource }) {
  return (
    <section className="will-deploy" aria-labelledby="will-deploy-h">
      <h3 id="will-deploy-h">Will be deployed</h3>
      {source.kind === 'revision' ? (
        <dl className="props">
          <dt>Revision</dt>
          <dd>
            <strong>{source.revision.description ?? 'no description'}</strong>{' '}
            <span className="mono" title={source.revision.sha256}>
              {shortSha(source.revision.sha256)}
            </span>
          </dd>
          <dt>Uploaded</dt>
          <dd>
            <RelativeTime value={source.revision.registerTime} />{' '}
            <span className="muted small">({formatExact(source.revision.registerTime)})</span>
          </dd>
          <dt>Bundle</dt>
          <dd>
            {source.revision.bundleType} · {formatBytes(source.revision.size)} ·{' '}
            <span className="mono">{source.revision.appspecFilename}</span>
          </dd>
          <dt>Id</dt>
          <dd className="mono small">{source.revision.revisionId}</dd>
        </dl>
      ) : source.kind === 'upload-pending' ? (
        <p className="muted">
          Nothing yet:{' '}
          {source.fileName ? (
            <>
              upload <span className="mono">{source.fileName}</span> first (press <strong>Upload revision</strong>).
            </>
          ) : (
            'choose a bundle and upload it first.'
          )}
        </p>
      ) : (
        <p className="muted">Nothing yet: pick a revision or upload a bundle.</p>
      )}
    </section>
  );
}

/** Why "Start deployment" cannot be pressed now, in words shown beside it; null when it can. */
export function startBlockedReason(x: {
  group: string;
  source: DeploySource;
  planOk: boolean | undefined;
  planLoading: boolean;
}): string | null {
  if (!x.group) return 'Choose a deployment group first.';
  if (x.source.kind === 'upload-pending')
    return x.source.fileName
      ? `Upload ${x.source.fileName} first: the deployment starts from an uploaded revision.`
      : 'Choose a bundle and upload it, or pick an uploaded revision.';
  if (x.source.kind === 'none') return 'Pick a revision or upload a bundle first.';
  if (x.planLoading) return 'Computing the batch plan…';
  if (x.planOk === false) return 'The plan must be valid before the deployment can start (see Review the plan).';
  return null;
}
