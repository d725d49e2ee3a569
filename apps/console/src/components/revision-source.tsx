// Where a revision came from, in one line: a Git commit (linked to the forge when its URL is known, with the branch or
// tag it was resolved from and the subdirectory), an S3 object (bucket/key, version, ETag), a URL, or an upload.
import type { RevisionInfo } from '@drover/contracts';

/** The repository's last path segments, as people name it (acme/web), from https://…/acme/web.git or git@host:acme/web. */
export function repositoryName(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+\//i, '').replace(/^[^@/]+@[^:]+:/, '');
  return path.replace(/\.git\/?$/, '').replace(/\/+$/, '') || url;
}

export function RevisionSource({ revision }: { revision: Pick<RevisionInfo, 'revisionType' | 'url' | 'source'> }) {
  const s = revision.source;
  if (s?.type === 'Git') {
    const commit = s.commit.slice(0, 12);
    return (
      <span className="revision-source" title={`${s.repositoryUrl} @ ${s.commit}`}>
        <span className="muted">Git </span>
        {repositoryName(s.repositoryUrl)}
        {s.path ? <span className="muted">/{s.path}</span> : null}{' '}
        {s.commitUrl ? (
          <a className="mono" href={s.commitUrl} target="_blank" rel="noreferrer noopener">
            {commit}
          </a>
        ) : (
          <span className="mono">{commit}</span>
        )}
        {s.ref ? <span className="muted"> ({s.ref})</span> : null}
      </span>
    );
  }
  if (s?.type === 'S3') {
    return (
      <span className="revision-source" title={s.endpoint ? `at ${s.endpoint}` : 'AWS S3'}>
        <span className="muted">S3 </span>
        <span className="mono">
          {s.bucket}/{s.key}
        </span>
        {s.versionId ? <span className="muted"> · version {s.versionId}</span> : null}
        <span className="muted">
          {' '}
          · ETag <span className="mono">{s.eTag.slice(0, 12)}</span>
        </span>
      </span>
    );
  }
  if (revision.revisionType === 'Url' && revision.url) {
    return (
      <span className="revision-source">
        <span className="muted">URL </span>
        <span className="mono">{revision.url}</span>
      </span>
    );
  }
  return <span className="muted">Upload</span>;
}
