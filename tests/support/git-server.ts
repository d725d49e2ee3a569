// A real Git host on loopback for tests: repositories made with the git CLI under a temp directory, served over smart
// HTTP by git's own `git http-backend` (a CGI program) behind a small Node HTTP server that may require basic auth.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLEAN_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.test',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.test',
};

export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: { ...CLEAN_ENV, ...env }, encoding: 'utf8' }).trim();
}

/** A working repository to commit into, whose bare twin the server serves (push with publish()). */
export class TestRepo {
  readonly work: string;
  private clock = 1_700_000_000;
  constructor(
    readonly root: string,
    readonly name: string,
  ) {
    this.work = path.join(root, 'work', name);
    mkdirSync(this.work, { recursive: true });
    git(this.work, ['init', '--quiet', '--initial-branch=main']);
    git(root, ['init', '--quiet', '--bare', path.join(root, 'srv', `${name}.git`)]);
    // Lets a client fetch a commit by SHA over protocol v0 too (GitHub and GitLab allow it).
    git(path.join(root, 'srv', `${name}.git`), ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  }

  get bare(): string {
    return path.join(this.root, 'srv', `${this.name}.git`);
  }

  /** Writes files (path → content; null deletes) and commits them; returns the commit SHA. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [p, content] of Object.entries(files)) {
      const f = path.join(this.work, p);
      if (content === null) rmSync(f, { force: true });
      else {
        mkdirSync(path.dirname(f), { recursive: true });
        // Scripts are committed executable (mode 100755), as a hook script must be.
        writeFileSync(f, content, { mode: p.endsWith('.sh') ? 0o755 : 0o644 });
      }
    }
    git(this.work, ['add', '-A']);
    this.clock += 60;
    const date = `${this.clock} +0000`;
    git(this.work, ['commit', '--quiet', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    return git(this.work, ['rev-parse', 'HEAD']);
  }

  /** Pushes the working repository's branches and tags to the served one (forced). */
  publish(): void {
    git(this.work, [
      'push',
      '--quiet',
      '--force',
      '--prune',
      this.bare,
      '+refs/heads/*:refs/heads/*',
      '+refs/tags/*:refs/tags/*',
    ]);
  }
}

export interface GitServer {
  /** http://127.0.0.1:port/<name>.git */
  url(name: string): string;
  repo(name: string): TestRepo;
  /** Requests the server answered, with their basic-auth user (to check what a client sent). */
  requests: { path: string; user: string | null; status: number }[];
  close(): Promise<void>;
}

/** Serves every repository under root/srv with `git http-backend`; with auth, only to that user and token. */
export async function startGitServer(auth?: { username: string; token: string }): Promise<GitServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'drover-git-'));
  mkdirSync(path.join(root, 'srv'));
  const requests: GitServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let user: string | null = null;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (auth && u === auth.username && p.join(':') === auth.token) user = u ?? null;
      else if (auth) user = `refused:${u}`;
    }
    if (auth && (user === null || user.startsWith('refused:'))) {
      requests.push({ path: url.pathname, user, status: 401 });
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test git"' }).end('authentication required\n');
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...CLEAN_ENV,
        GIT_PROJECT_ROOT: path.join(root, 'srv'),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: user ?? '',
        REMOTE_ADDR: '127.0.0.1',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      requests.push({ path: url.pathname, user, status });
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.once('close', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const repos = new Map<string, TestRepo>();
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    repo(name) {
      let r = repos.get(name);
      if (!r) repos.set(name, (r = new TestRepo(root, name)));
      return r;
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
