// How Git credentials are handed to git, checked while git is using them: no sshd can run unprivileged here, so the
// SSH path is tested against a loopback TCP server that holds the connection (git's ssh has connected with the
// deploy key: the key is a 0600 file in a private temp directory and in no process's command line), and the HTTPS
// path against a server that holds the authenticated request (the token reached the server, and no command line). Both
// temp directories are gone once the registration has ended.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RevisionJobInfo } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { bind } from '../api/support/http';
import { SECRET_KEY, jobEnd } from './support';

const COMMIT = '1234567890abcdef1234567890abcdef12345678';
const TOKEN = 'ghp_credentialcheck0123456789';
let api: TestApi;
let admin: ReturnType<typeof bind>;
let deployer: ReturnType<typeof bind>;
let keyDir: string;
let privateKey: string;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  deployer = bind(api, 'deployer');
  await deployer.post('/v1/applications', { applicationName: 'site' });
  keyDir = mkdtempSync(path.join(tmpdir(), 'drover-sshkey-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy', '-f', path.join(keyDir, 'id')]);
  privateKey = readFileSync(path.join(keyDir, 'id'), 'utf8');
}, 60_000);

afterAll(async () => {
  await api?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

/** Every process's command line on this machine, joined (what `ps` shows anyone). */
function allCommandLines(): string {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .join('\n');
}

/** The credential files of the registration running now (DATA_DIR/tmp/git-*\/auth). */
function authFiles(): { name: string; mode: number; content: string }[] {
  const tmp = path.join(api.env.DATA_DIR, 'tmp');
  return readdirSync(tmp)
    .filter((d) => d.startsWith('git-'))
    .flatMap((d) => {
      const auth = path.join(tmp, d, 'auth');
      return readdirSync(auth).map((name) => ({
        name,
        mode: statSync(path.join(auth, name)).mode & 0o777,
        content: readFileSync(path.join(auth, name), 'utf8'),
      }));
    });
}

async function until<T>(fn: () => T | null, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Git credentials', () => {
  it('SSH: the deploy key is a 0600 file git’s ssh uses, never on a command line, removed after', async () => {
    const sockets: Socket[] = [];
    let banner = '';
    const server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => (banner += d.toString('latin1')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const created = await admin.post('/v1/source-secrets', {
        name: 'deploy-key',
        kind: 'GitSshKey',
        privateKey,
        applications: ['site'],
      });
      expect(created.status, created.raw).toBe(201);
      expect(created.raw).not.toContain('PRIVATE KEY');
      const res = await deployer.post('/v1/applications/site/revisions/git', {
        repositoryUrl: `ssh://git@127.0.0.1:${port}/acme/web.git`,
        commit: COMMIT,
        secretName: 'deploy-key',
      });
      expect(res.status, res.raw).toBe(202);
      // git's ssh has connected and sent its identification; it waits for ours, holding the key file open.
      await until(() => (banner.startsWith('SSH-2.0-') ? banner : null), 'the ssh client connected');
      const files = authFiles();
      const key = files.find((f) => f.name === 'id');
      expect(key).toMatchObject({ mode: 0o600 });
      expect(key?.content.trim()).toBe(privateKey.trim());
      const keyBody = privateKey.split('\n')[1]!;
      expect(allCommandLines()).toContain('IdentitiesOnly=yes');
      expect(allCommandLines()).not.toContain(keyBody);
      for (const s of sockets) s.destroy();
      const job = await jobEnd(api, 'site', (res.body as unknown as RevisionJobInfo).jobId);
      expect(job.status).toBe('Failed');
      expect(job.error?.message).not.toContain(keyBody);
      expect(readdirSync(path.join(api.env.DATA_DIR, 'tmp'))).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('HTTPS: the token reaches the host through GIT_ASKPASS, never a command line, and is removed after', async () => {
    let authorized: string | null = null;
    const held: ServerResponse[] = [];
    const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
        return;
      }
      authorized = Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8');
      held.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await admin.post('/v1/source-secrets', {
        name: 'https-token',
        kind: 'GitToken',
        username: 'ci-bot',
        token: TOKEN,
        applications: ['site'],
      });
      const res = await deployer.post('/v1/applications/site/revisions/git', {
        repositoryUrl: `http://127.0.0.1:${port}/acme/web.git`,
        ref: 'main',
        secretName: 'https-token',
      });
      expect(res.status).toBe(202);
      await until(() => authorized, 'git sent the credentials');
      expect(authorized).toBe(`ci-bot:${TOKEN}`);
      const files = authFiles();
      expect(files.find((f) => f.name === 'token')).toMatchObject({ mode: 0o600, content: TOKEN });
      expect(allCommandLines()).not.toContain(TOKEN);
      for (const r of held) r.writeHead(403).end();
      const job = await jobEnd(api, 'site', (res.body as unknown as RevisionJobInfo).jobId);
      expect(job.error?.code).toBe('GitAuthFailed');
      expect(JSON.stringify(job)).not.toContain(TOKEN);
      expect(readdirSync(path.join(api.env.DATA_DIR, 'tmp'))).toEqual([]);
    } finally {
      for (const r of held) if (!r.writableEnded) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
