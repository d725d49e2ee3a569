// "Push to main deploys to staging": a Git push trigger on a private repository (the token as a source secret), a
// GitHub-signed push delivered to the real API over HTTP, and two real drover-agent processes that deploy the revision
// built from the pushed commit. A delivery with a bad signature changes nothing; a push to another branch is ignored.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  isTerminalDeploymentStatus,
  type DeploymentInfo,
  type GitTriggerWithSecret,
  type RevisionInfo,
  type RevisionJobInfo,
} from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '@drover/api';
import { startStack, type TestStack } from '../../support/stack';
import { stackJson } from '../../support/stack-json';
import { spawnAgent, type AgentProcess } from '../../support/processes';
import { startGitServer, type GitServer } from '../../support/git-server';
import { SECRET_KEY } from './support';

const TOKEN = 'gitea-token-0123456789';
const APPSPEC = `version: 0.0
os: linux
hooks:
  AfterInstall:
    - location: scripts/mark.sh
      timeout: 30
`;
// The hook copies the revision's version file to the host's mark directory (MARK_DIR, from the agent's environment).
const MARK = '#!/bin/sh\nset -e\ncp "$(dirname "$0")/../version.txt" "$MARK_DIR/version.txt"\n';

let stack: TestStack;
let git: GitServer;
let work: string;
let trigger: GitTriggerWithSecret;
const agents: AgentProcess[] = [];
const marks: string[] = [];

const api = stackJson(() => stack, [200, 201, 202]);

function deliver(payload: unknown, opts: { secret?: string; event?: string } = {}) {
  const body = JSON.stringify(payload);
  const sig = createHmac('sha256', opts.secret ?? trigger.webhookSecret)
    .update(body)
    .digest('hex');
  return fetch(`${stack.url}${trigger.webhookPath}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': opts.event ?? 'push',
      'x-github-delivery': 'd-1',
      'x-hub-signature-256': `sha256=${sig}`,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
}

async function until<T>(what: string, fn: () => Promise<T | null>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > end) {
      throw new Error(`${what}: not after ${ms} ms\n${agents.map((a) => a.output().slice(-1500)).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'drover-git-webhook-'));
  stack = await startStack({ SECRET_KEY });
  git = await startGitServer({ username: 'drover', token: TOKEN });
  await api('POST', '/v1/applications', { applicationName: 'shop' });
  await api('POST', '/v1/applications/shop/deployment-groups', {
    deploymentGroupName: 'staging',
    deploymentConfigName: 'AllAtOnce',
    tagFilters: [{ key: 'env', value: 'staging', type: 'KEY_AND_VALUE' }],
  });
  await api('POST', '/v1/source-secrets', {
    name: 'shop-repo',
    kind: 'GitToken',
    username: 'drover',
    token: TOKEN,
    applications: ['shop'],
  });
  trigger = await api<GitTriggerWithSecret>('POST', '/v1/applications/shop/git-triggers', {
    name: 'main-to-staging',
    provider: 'github',
    repositoryUrl: git.url('shop'),
    branch: 'main',
    secretName: 'shop-repo',
    deploymentGroupName: 'staging',
  });
  // A registration token that lets hosts bring their own env tag.
  const reg = newSecret('drr');
  await stack.ctx.db.prisma.agentRegistrationToken.create({
    data: { name: 'staging-hosts', tokenHash: reg.hash, prefix: reg.prefix, allowExtraTags: true },
  });
  for (const name of ['stage-1', 'stage-2']) {
    const mark = path.join(work, name, 'mark');
    mkdirSync(mark, { recursive: true });
    marks.push(mark);
    agents.push(
      spawnAgent({
        url: stack.url,
        registrationToken: reg.secret,
        name,
        baseDir: path.join(work, name),
        tags: [{ key: 'env', value: 'staging' }],
        settings: { pollWaitSeconds: 2 },
        env: { MARK_DIR: mark },
      }),
    );
  }
  await until('both agents registered', async () => {
    const n = await stack.ctx.db.prisma.instance.count({ where: { name: { in: ['stage-1', 'stage-2'] } } });
    return n === 2 ? n : null;
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await stack?.close();
  await git?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a Git push webhook', () => {
  it('answers the secret once and never again', async () => {
    expect(trigger.webhookSecret.length).toBeGreaterThanOrEqual(32);
    expect(trigger.webhookPath).toBe(`/v1/git-webhooks/${trigger.triggerId}`);
    const read = await fetch(`${stack.url}/v1/applications/shop/git-triggers/main-to-staging`, {
      headers: stack.as('viewer'),
    });
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(text).not.toContain(trigger.webhookSecret);
  });

  it('refuses a bad signature and ignores other branches, starting nothing', async () => {
    const repo = git.repo('shop');
    const sha = repo.commit({ 'appspec.yml': APPSPEC, 'scripts/mark.sh': MARK, 'version.txt': 'v1\n' }, 'v1');
    repo.publish();
    const forged = await deliver({ ref: 'refs/heads/main', after: sha }, { secret: 'guessed' });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toContain('signature');
    const other = await deliver({ ref: 'refs/heads/feature', after: sha });
    expect(other.status).toBe(202);
    expect(await other.json()).toMatchObject({ result: 'ignored', jobId: null });
    const ping = await deliver({ zen: 'hello' }, { event: 'ping' });
    expect(await ping.json()).toMatchObject({ result: 'ignored' });
    const jobs = await api<{ items: RevisionJobInfo[] }>('GET', '/v1/applications/shop/revision-jobs');
    expect(jobs.items).toEqual([]);
  });

  it('registers the pushed commit and deploys it to the group with real agents', async () => {
    const repo = git.repo('shop');
    const sha = repo.commit({ 'version.txt': 'v2\n' }, 'v2');
    repo.publish();
    const res = await deliver({ ref: 'refs/heads/main', after: sha, repository: { clone_url: git.url('shop') } });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { result: string; jobId: string };
    expect(answer.result).toBe('registered');
    const job = await until('the registration job ended', async () => {
      const j = await api<RevisionJobInfo>('GET', `/v1/applications/shop/revision-jobs/${answer.jobId}`);
      return j.status === 'Succeeded' || j.status === 'Failed' ? j : null;
    });
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'Succeeded' });
    expect(job.deploymentId).toMatch(/^d-/);
    const rev = await api<RevisionInfo>('GET', `/v1/applications/shop/revisions/${job.revisionId}`);
    expect(rev.source).toMatchObject({ type: 'Git', commit: sha, ref: 'main', secretName: 'shop-repo' });
    const dep = await until('the deployment ended', async () => {
      const d = await api<DeploymentInfo>('GET', `/v1/deployments/${job.deploymentId}`);
      return isTerminalDeploymentStatus(d.status) ? d : null;
    });
    expect(dep.status, JSON.stringify(dep)).toBe('Succeeded');
    expect(dep).toMatchObject({ deploymentGroupName: 'staging', revision: { revisionId: rev.revisionId } });
    for (const m of marks) expect(readFileSync(path.join(m, 'version.txt'), 'utf8')).toBe('v2\n');
    // The registration and the deployment are the trigger's doing in the audit log.
    const audit = await api<{ items: { action: string; actor: { name: string | null } }[] }>(
      'GET',
      '/v1/audit?actor=git-trigger:shop/main-to-staging&limit=500',
    );
    expect(audit.items.map((a) => a.action)).toEqual(
      expect.arrayContaining(['revision.registerGit.start', 'revision.registerGit', 'deployment.create']),
    );
  });
  it('checks GitLab’s token and Gitea’s signature the same way (register only, no group)', async () => {
    const sha = git.repo('shop').commit({ 'version.txt': 'v3\n' }, 'v3');
    git.repo('shop').publish();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
    for (const provider of ['gitlab', 'gitea'] as const) {
      const t = await api<GitTriggerWithSecret>('POST', '/v1/applications/shop/git-triggers', {
        name: `${provider}-main`,
        provider,
        repositoryUrl: git.url('shop'),
        branch: 'main',
        secretName: 'shop-repo',
      });
      const sign = (secret: string): Record<string, string> =>
        provider === 'gitlab'
          ? { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret }
          : {
              'x-gitea-event': 'push',
              'x-gitea-signature': createHmac('sha256', secret).update(body).digest('hex'),
            };
      const post = (headers: Record<string, string>) =>
        fetch(`${stack.url}${t.webhookPath}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      expect((await post(sign('wrong-secret'))).status).toBe(401);
      const ok = await post(sign(t.webhookSecret));
      expect(ok.status).toBe(202);
      const { jobId } = (await ok.json()) as { jobId: string };
      const job = await until(`${provider} job ended`, async () => {
        const j = await api<RevisionJobInfo>('GET', `/v1/applications/shop/revision-jobs/${jobId}`);
        return j.status === 'Succeeded' || j.status === 'Failed' ? j : null;
      });
      expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'Succeeded', deploymentId: null });
      expect(job.request).toMatchObject({ commit: sha, ref: 'main' });
    }
  });
});
