// Git hosts' push webhooks, read the way each host signs and shapes them (pure, no I/O):
//   GitHub  X-GitHub-Event: push,      X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>
//   Gitea   X-Gitea-Event: push,       X-Gitea-Signature: <hex HMAC-SHA256 of the raw body>
//   GitLab  X-Gitlab-Event: Push Hook, X-Gitlab-Token: <the secret itself>
// All three send { ref: "refs/heads/<branch>", after: "<sha>" }; a deleted branch has an all-zero `after`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GitHost } from '@drover/contracts';

type Headers = Record<string, string | string[] | undefined>;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the delivery carries the signature (or token) the trigger's secret gives. */
export function verifySignature(provider: GitHost, headers: Headers, body: Buffer, secret: string): boolean {
  if (provider === 'gitlab') {
    const token = header(headers, 'x-gitlab-token');
    return token !== undefined && equal(token, secret);
  }
  const hmac = createHmac('sha256', secret).update(body).digest('hex');
  if (provider === 'github') {
    const sig = header(headers, 'x-hub-signature-256');
    return sig !== undefined && equal(sig.toLowerCase(), `sha256=${hmac}`);
  }
  const sig = header(headers, 'x-gitea-signature');
  return sig !== undefined && equal(sig.toLowerCase(), hmac);
}

export type PushReading =
  | { kind: 'push'; branch: string; commit: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

/** What a verified delivery asks for: a push to a branch at a commit, or something to acknowledge and ignore. */
export function readPush(provider: GitHost, headers: Headers, body: Buffer): PushReading {
  const event =
    provider === 'github'
      ? header(headers, 'x-github-event')
      : provider === 'gitea'
        ? header(headers, 'x-gitea-event')
        : header(headers, 'x-gitlab-event');
  const isPush = provider === 'gitlab' ? event === 'Push Hook' : event === 'push';
  if (!isPush) return { kind: 'ignored', reason: `not a push event (${event ?? 'no event header'})` };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'the body is not JSON (configure the webhook to send application/json)' };
  }
  const p = payload as { ref?: unknown; after?: unknown };
  if (typeof p.ref !== 'string' || typeof p.after !== 'string') {
    return { kind: 'invalid', reason: 'a push payload has ref and after' };
  }
  if (!p.ref.startsWith('refs/heads/')) return { kind: 'ignored', reason: `${p.ref} is not a branch` };
  if (/^0+$/.test(p.after)) return { kind: 'ignored', reason: `${p.ref} was deleted` };
  if (!/^[0-9a-f]{40}$/.test(p.after)) return { kind: 'invalid', reason: 'after is not a commit SHA' };
  return { kind: 'push', branch: p.ref.slice('refs/heads/'.length), commit: p.after };
}
