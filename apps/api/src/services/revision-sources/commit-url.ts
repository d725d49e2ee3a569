// A browser link to a commit, for the hosts whose URL layout is known (GitHub, GitLab, Gitea/Forgejo, Bitbucket):
// https://host/owner/repo(.git) or git@host:owner/repo(.git) → https://host/owner/repo/commit/<sha>.
export function commitUrl(repositoryUrl: string, commit: string): string | null {
  let base: string;
  let host: string;
  let repoPath: string;
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(.+)$/.exec(repositoryUrl);
  if (scp) {
    host = scp[1]!;
    base = `https://${host}`;
    repoPath = scp[2]!;
  } else {
    let u: URL;
    try {
      u = new URL(repositoryUrl);
    } catch {
      return null;
    }
    if (!['https:', 'http:', 'ssh:'].includes(u.protocol)) return null;
    host = u.hostname;
    // A web UI answers where the HTTP(S) clone URL points; an SSH URL's web UI is on HTTPS.
    base = u.protocol === 'ssh:' ? `https://${host}` : `${u.protocol}//${u.host}`;
    repoPath = u.pathname;
  }
  repoPath = repoPath
    .replace(/^\/+/, '')
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '');
  if (!repoPath.includes('/')) return null;
  if (host === 'bitbucket.org') return `${base}/${repoPath}/commits/${commit}`;
  if (/(^|\.)gitlab\./.test(host)) return `${base}/${repoPath}/-/commit/${commit}`;
  // GitHub, Gitea, Forgejo and most self-hosted forges use /owner/repo/commit/<sha>.
  return `${base}/${repoPath}/commit/${commit}`;
}
