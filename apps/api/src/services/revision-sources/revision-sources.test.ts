import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitUrl } from './commit-url';
import { classifyGitError, receivedBytes, resolveRef, sshCommand } from './git-fetch';
import { readPush, verifySignature } from './push-event';

const SHA = 'a'.repeat(40);
const TAG_OBJ = 'b'.repeat(40);
const TAGGED = 'c'.repeat(40);

describe('commitUrl', () => {
  it.each([
    ['https://github.com/acme/web.git', `https://github.com/acme/web/commit/${SHA}`],
    ['git@github.com:acme/web.git', `https://github.com/acme/web/commit/${SHA}`],
    ['ssh://git@gitlab.com/group/sub/web.git', `https://gitlab.com/group/sub/web/-/commit/${SHA}`],
    ['https://gitlab.example.com/g/web', `https://gitlab.example.com/g/web/-/commit/${SHA}`],
    ['https://bitbucket.org/acme/web.git', `https://bitbucket.org/acme/web/commits/${SHA}`],
    ['http://gitea.internal:3000/ops/web.git', `http://gitea.internal:3000/ops/web/commit/${SHA}`],
    ['http://127.0.0.1:9/site.git', null],
    ['not a url', null],
  ])('%s', (url, expected) => expect(commitUrl(url, SHA)).toBe(expected));
});

describe('resolveRef', () => {
  const ls = [
    `${SHA}\tHEAD`,
    `${SHA}\trefs/heads/main`,
    `${TAG_OBJ}\trefs/tags/v1`,
    `${TAGGED}\trefs/tags/v1^{}`,
    `${TAGGED}\trefs/tags/light`,
    `${TAGGED}\trefs/tags/main`,
  ].join('\n');
  it('takes a branch, an annotated tag’s commit, a lightweight tag, a full ref', () => {
    expect(resolveRef(ls, 'main')).toBe(SHA);
    expect(resolveRef(ls, 'v1')).toBe(TAGGED);
    expect(resolveRef(ls, 'light')).toBe(TAGGED);
    expect(resolveRef(ls, 'refs/tags/main')).toBe(TAGGED);
    expect(resolveRef(ls, 'refs/tags/v1')).toBe(TAGGED);
    expect(resolveRef(ls, 'nope')).toBeNull();
  });
});

describe('git output', () => {
  it('reads the received bytes of a progress line', () => {
    expect(receivedBytes('Receiving objects:  45% (9/20), 1.50 MiB | 2.00 MiB/s')).toBe(1.5 * 1024 * 1024);
    expect(receivedBytes('Receiving objects: 100% (3/3), 812 bytes | 1 KiB/s, done.')).toBe(812);
    expect(receivedBytes('Counting objects: 100% (5/5)')).toBeNull();
  });
  it('maps stderr to a code', () => {
    expect(classifyGitError("fatal: Authentication failed for 'https://h/r.git/'", 'x').code).toBe('GitAuthFailed');
    expect(classifyGitError('fatal: remote error: upload-pack: not our ref ' + SHA, 'x').code).toBe('CommitNotFound');
    expect(classifyGitError("fatal: repository 'https://h/r.git/' not found", 'x').code).toBe('RepositoryNotFound');
    expect(classifyGitError('Host key verification failed.', 'x').code).toBe('GitHostKeyMismatch');
    expect(classifyGitError('fatal: unable to access: Could not resolve host: h', 'x').code).toBe('GitFetchFailed');
  });
  it('builds an ssh command that uses only the deploy key and quotes paths', () => {
    const cmd = sshCommand('/tmp/a b/id', '/tmp/kh', true);
    expect(cmd).toContain("-i '/tmp/a b/id'");
    expect(cmd).toContain('IdentitiesOnly=yes');
    expect(cmd).toContain('StrictHostKeyChecking=yes');
    expect(sshCommand('/k', '/kh', false)).toContain('StrictHostKeyChecking=accept-new');
  });
});

describe('push webhooks', () => {
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: SHA }));
  const hmac = createHmac('sha256', 's3cret').update(body).digest('hex');
  it('checks each host’s signature', () => {
    expect(verifySignature('github', { 'x-hub-signature-256': `sha256=${hmac}` }, body, 's3cret')).toBe(true);
    expect(verifySignature('github', { 'x-hub-signature-256': `sha256=${hmac}` }, body, 'other')).toBe(false);
    expect(verifySignature('github', {}, body, 's3cret')).toBe(false);
    expect(verifySignature('gitea', { 'x-gitea-signature': hmac }, body, 's3cret')).toBe(true);
    expect(verifySignature('gitea', { 'x-gitea-signature': hmac }, Buffer.from(`${body} `), 's3cret')).toBe(false);
    expect(verifySignature('gitlab', { 'x-gitlab-token': 's3cret' }, body, 's3cret')).toBe(true);
    expect(verifySignature('gitlab', { 'x-gitlab-token': 's3cre' }, body, 's3cret')).toBe(false);
  });
  it('reads pushes and ignores the rest', () => {
    expect(readPush('github', { 'x-github-event': 'push' }, body)).toEqual({
      kind: 'push',
      branch: 'main',
      commit: SHA,
    });
    expect(readPush('gitlab', { 'x-gitlab-event': 'Push Hook' }, body)).toMatchObject({ kind: 'push' });
    expect(readPush('gitea', { 'x-gitea-event': 'push' }, body)).toMatchObject({ kind: 'push' });
    expect(readPush('github', { 'x-github-event': 'ping' }, body)).toMatchObject({ kind: 'ignored' });
    const del = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: '0'.repeat(40) }));
    expect(readPush('github', { 'x-github-event': 'push' }, del)).toMatchObject({ kind: 'ignored' });
    const tag = Buffer.from(JSON.stringify({ ref: 'refs/tags/v1', after: SHA }));
    expect(readPush('github', { 'x-github-event': 'push' }, tag)).toMatchObject({ kind: 'ignored' });
    expect(readPush('github', { 'x-github-event': 'push' }, Buffer.from('payload=%7B'))).toMatchObject({
      kind: 'invalid',
    });
  });
});
