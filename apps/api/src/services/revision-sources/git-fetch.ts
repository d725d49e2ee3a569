// Builds a deterministic bundle from one commit of a Git repository with the system `git`: a branch or tag is
// resolved with ls-remote, the commit alone is fetched (shallow, into a private temp repository), LFS pointers and
// oversized trees are refused before anything is packed, and the tree (or a subdirectory of it) is archived as a tar
// with every mtime set to the commit's time, gzipped by zlib: the same commit gives the same bytes, so the same
// sha256. Credentials never reach a command line or a log: a token is read by a GIT_ASKPASS script from 0600 files,
// an SSH key is a 0600 file named in GIT_SSH_COMMAND; both live in the temp directory removed at the end.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { spool } from '../bundles/spool';
import { SourceError } from './source-error';

export type GitCredential =
  | { kind: 'token'; username: string; token: string }
  | { kind: 'ssh'; privateKey: string; knownHosts?: string | undefined };

export interface GitBuildRequest {
  repositoryUrl: string;
  /** A full SHA; or ref, resolved with ls-remote. */
  commit?: string | undefined;
  ref?: string | undefined;
  path?: string | undefined;
  credential?: GitCredential | undefined;
}

export interface GitBuildOptions {
  /** A private directory for the temp repository (DATA_DIR/tmp). */
  tmpDir: string;
  /** The bundle file to write (must not exist). */
  outFile: string;
  /** Size limit of the fetched objects, the tree and the bundle (MAX_BUNDLE_MB). */
  maxMb: number;
  onProgress?: (line: string) => void;
  /** Whole build, in milliseconds (default 10 minutes). */
  timeoutMs?: number;
}

export interface GitBuilt {
  commit: string;
  ref: string | null;
  size: number;
  sha256: string;
  head: Buffer;
}

/** The text every Git LFS pointer file starts with. */
const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';
/** Pointer files are small; blobs larger than this are not read for the check. */
const LFS_POINTER_MAX_BYTES = 1024;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const UNITS: Record<string, number> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** The bytes a `git fetch --progress` line reports received, when it says. */
export function receivedBytes(line: string): number | null {
  const m = /Receiving objects:.*?,\s*([\d.]+)\s*(bytes|KiB|MiB|GiB)/.exec(line);
  return m ? Number(m[1]) * (UNITS[m[2] ?? 'bytes'] ?? 1) : null;
}

/** Which branch/tag line of `git ls-remote` a name resolves to: an annotated tag's commit (^{}) over the tag
 *  object, a branch before a tag of the same name, or the exact ref when a full refs/… name is given. */
export function resolveRef(lsRemote: string, ref: string): string | null {
  const refs = new Map<string, string>();
  for (const line of lsRemote.split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (sha && name && /^[0-9a-f]{40}$/.test(sha)) refs.set(name, sha);
  }
  const candidates = ref.startsWith('refs/')
    ? [`${ref}^{}`, ref]
    : [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
  for (const c of candidates) {
    const sha = refs.get(c);
    if (sha) return sha;
  }
  return null;
}

/** A readable reason from git's stderr, mapped to a stable code. */
export function classifyGitError(stderr: string, what: string): SourceError {
  const text = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(remote: )?(Enumerating|Counting|Compressing|Receiving|Resolving|Total)/.test(l))
    .slice(-3)
    .join(' ');
  if (
    /Authentication failed|could not read Username|could not read Password|terminal prompts disabled|Permission denied \(publickey|HTTP Basic: Access denied|401|403/i.test(
      stderr,
    )
  ) {
    return new SourceError(
      'GitAuthFailed',
      `${what}: the Git host refused the credentials (${text || 'authentication failed'}); check the source secret and that it is granted to this application`,
    );
  }
  if (
    /not our ref|couldn't find remote ref|no such remote ref|unadvertised object|did not send all necessary objects/i.test(
      stderr,
    )
  ) {
    return new SourceError('CommitNotFound', `${what}: the repository does not have this commit (${text})`);
  }
  if (/Repository not found|does not appear to be a git repository|not found/i.test(stderr)) {
    return new SourceError('RepositoryNotFound', `${what}: the repository was not found (${text})`);
  }
  if (/Host key verification failed/i.test(stderr)) {
    return new SourceError('GitHostKeyMismatch', `${what}: the SSH host key does not match the secret's knownHosts`);
  }
  return new SourceError('GitFetchFailed', `${what}: ${text || 'git failed'}`);
}

export async function buildGitBundle(req: GitBuildRequest, o: GitBuildOptions): Promise<GitBuilt> {
  const maxBytes = o.maxMb * 1024 * 1024;
  const progress = o.onProgress ?? (() => undefined);
  const dir = await mkdtemp(path.join(o.tmpDir, 'git-'));
  const repo = path.join(dir, 'repo.git');
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), o.timeoutMs ?? 600_000);
  try {
    const env = await gitEnv(dir, req.credential);
    const git = (args: string[], extra: RunOptions = {}) =>
      run('git', args, { env, signal: deadline.signal, ...extra });

    let commit = req.commit ?? null;
    if (!commit) {
      progress(`resolving ${req.ref} in ${req.repositoryUrl}`);
      const ref = req.ref ?? '';
      const ls = await git(['ls-remote', '--', req.repositoryUrl]);
      if (ls.code !== 0) throw classifyGitError(ls.stderr, `git ls-remote ${req.repositoryUrl}`);
      commit = resolveRef(ls.stdout.toString('utf8'), ref);
      if (!commit) {
        throw new SourceError('RefNotFound', `no branch or tag named ${ref} in ${req.repositoryUrl}`);
      }
    }

    const init = await git(['init', '--quiet', '--bare', repo]);
    if (init.code !== 0) throw new SourceError('GitFetchFailed', `git init: ${init.stderr.trim()}`);
    progress(`fetching ${commit.slice(0, 12)} from ${req.repositoryUrl}`);
    let tooBig = false;
    const fetchAbort = new AbortController();
    const onDeadline = () => fetchAbort.abort();
    deadline.signal.addEventListener('abort', onDeadline);
    const fetched = await run(
      'git',
      ['-C', repo, 'fetch', '--quiet', '--progress', '--depth=1', '--no-tags', '--', req.repositoryUrl, commit],
      {
        env,
        signal: fetchAbort.signal,
        onStderrLine: (line) => {
          const n = receivedBytes(line);
          if (n !== null && n > maxBytes) {
            tooBig = true;
            fetchAbort.abort();
          }
          if (/^(remote: )?[A-Z][a-z]+ objects:/.test(line)) progress(line.replace(/^remote: /, '').trim());
        },
      },
    );
    deadline.signal.removeEventListener('abort', onDeadline);
    if (tooBig) {
      throw new SourceError(
        'RepositoryTooLarge',
        `the commit's objects are larger than MAX_BUNDLE_MB (${o.maxMb} MiB)`,
      );
    }
    if (deadline.signal.aborted) throw new SourceError('GitTimeout', 'fetching the commit took too long');
    if (fetched.code !== 0) throw classifyGitError(fetched.stderr, `git fetch ${commit} from ${req.repositoryUrl}`);
    const isCommit = await git(['-C', repo, 'cat-file', '-e', `${commit}^{commit}`]);
    if (isCommit.code !== 0) throw new SourceError('CommitNotFound', `${commit} is not a commit`);

    const treeish = req.path ? `${commit}:${req.path.replace(/\/+$/, '')}` : `${commit}^{tree}`;
    const tree = await git(['-C', repo, 'rev-parse', '--verify', '--quiet', treeish]);
    const kind =
      tree.code === 0 ? await git(['-C', repo, 'cat-file', '-t', tree.stdout.toString('utf8').trim()]) : null;
    if (!kind || kind.stdout.toString('utf8').trim() !== 'tree') {
      throw new SourceError('PathNotFound', `${req.path} is not a directory of commit ${commit}`);
    }
    const treeId = tree.stdout.toString('utf8').trim();

    progress('checking the tree (size, Git LFS pointers)');
    await checkTree(git, repo, treeId, maxBytes, o.maxMb);

    // git archive stamps a bare tree with the current time; a commit of that tree dated as the original gives every
    // entry the commit's time, and identical bytes on every build.
    const time = (await git(['-C', repo, 'show', '-s', '--format=%ct', commit])).stdout.toString('utf8').trim();
    const stamp = `${time} +0000`;
    const fixed = {
      GIT_AUTHOR_NAME: 'drover',
      GIT_AUTHOR_EMAIL: 'drover@localhost',
      GIT_AUTHOR_DATE: stamp,
      GIT_COMMITTER_NAME: 'drover',
      GIT_COMMITTER_EMAIL: 'drover@localhost',
      GIT_COMMITTER_DATE: stamp,
    };
    const synthetic = await git(['-C', repo, 'commit-tree', treeId, '-m', `drover bundle of ${commit}`], {
      env: { ...env, ...fixed },
    });
    if (synthetic.code !== 0) throw new SourceError('GitFetchFailed', `git commit-tree: ${synthetic.stderr.trim()}`);

    progress('building the bundle (git archive)');
    const tar = spawn(
      'git',
      ['-C', repo, '-c', 'tar.umask=0022', 'archive', '--format=tar', synthetic.stdout.toString('utf8').trim()],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let tarErr = '';
    tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => tar.once('close', resolve));
    const gz = createGzip({ level: 9 });
    const out = new PassThrough();
    tar.stdout.pipe(gz).pipe(out);
    let spooled;
    try {
      spooled = await spool(out, o.outFile, o.maxMb);
    } finally {
      tar.kill('SIGKILL');
    }
    const code = await exited;
    if (code !== 0 && code !== null) throw new SourceError('GitFetchFailed', `git archive: ${tarErr.trim()}`);
    return { commit, ref: req.ref ?? null, ...spooled };
  } finally {
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Refuses a tree whose files add up to more than the limit, or that holds Git LFS pointers. */
async function checkTree(
  git: (args: string[], extra?: RunOptions) => Promise<RunResult>,
  repo: string,
  tree: string,
  maxBytes: number,
  maxMb: number,
) {
  const ls = await git(['-C', repo, 'ls-tree', '-r', '-l', '-z', tree]);
  if (ls.code !== 0) throw new SourceError('GitFetchFailed', `git ls-tree: ${ls.stderr.trim()}`);
  let total = 0;
  const small: { oid: string; path: string }[] = [];
  for (const entry of ls.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t(.*)$/s.exec(entry);
    if (!m || m[2] !== 'blob') continue;
    const size = Number(m[4]);
    total += size;
    if (size <= LFS_POINTER_MAX_BYTES && size >= LFS_POINTER_PREFIX.length) small.push({ oid: m[3]!, path: m[5]! });
  }
  if (total > maxBytes) {
    throw new SourceError('RepositoryTooLarge', `the tree's files add up to more than MAX_BUNDLE_MB (${maxMb} MiB)`);
  }
  if (small.length === 0) return;
  const batch = await git(['-C', repo, 'cat-file', '--batch'], {
    stdin: small.map((s) => s.oid).join('\n') + '\n',
  });
  const pointers: string[] = [];
  let at = 0;
  const buf = batch.stdout;
  for (const s of small) {
    const nl = buf.indexOf(0x0a, at);
    const header = buf.toString('utf8', at, nl).split(' ');
    const size = Number(header[2]);
    const body = buf.toString('utf8', nl + 1, nl + 1 + size);
    at = nl + 1 + size + 1;
    if (body.startsWith(LFS_POINTER_PREFIX)) pointers.push(s.path);
  }
  if (pointers.length > 0) {
    const shown = pointers.slice(0, 5).join(', ') + (pointers.length > 5 ? ` and ${pointers.length - 5} more` : '');
    throw new SourceError(
      'LfsPointers',
      `the commit holds Git LFS pointer files, not their content (${shown}); Drover does not fetch LFS objects: commit the files themselves, or build the bundle and upload it`,
    );
  }
}

/** A clean environment for git: no user or system config, no prompts, only network protocols, and the credential. */
async function gitEnv(dir: string, cred: GitCredential | undefined): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'http:https:ssh',
    GIT_SSH_COMMAND: 'ssh -F /dev/null -o BatchMode=yes',
  };
  if (!cred) return env;
  const auth = path.join(dir, 'auth');
  await mkdirPrivate(auth);
  if (cred.kind === 'token') {
    await writeFile(path.join(auth, 'username'), cred.username, { mode: 0o600 });
    await writeFile(path.join(auth, 'token'), cred.token, { mode: 0o600 });
    const askpass = path.join(auth, 'askpass.sh');
    // git asks "Username for 'https://host': " then "Password for 'https://user@host': ".
    await writeFile(
      askpass,
      `#!/bin/sh\ncase "$1" in\n  Username*) cat '${auth}/username' ;;\n  *) cat '${auth}/token' ;;\nesac\n`,
      { mode: 0o700 },
    );
    env.GIT_ASKPASS = askpass;
    return env;
  }
  const key = path.join(auth, 'id');
  const knownHosts = path.join(auth, 'known_hosts');
  await writeFile(key, cred.privateKey.endsWith('\n') ? cred.privateKey : `${cred.privateKey}\n`, { mode: 0o600 });
  await writeFile(knownHosts, cred.knownHosts ?? '', { mode: 0o600 });
  env.GIT_SSH_COMMAND = sshCommand(key, knownHosts, !!cred.knownHosts);
  return env;
}

/** The ssh command git runs: only the deploy key, only the secret's known hosts (or trust on first use). */
export function sshCommand(keyFile: string, knownHostsFile: string, pinned: boolean): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes',
    `-i ${q(keyFile)}`,
    `-o UserKnownHostsFile=${q(knownHostsFile)}`,
    `-o StrictHostKeyChecking=${pinned ? 'yes' : 'accept-new'}`,
  ].join(' ');
}

async function mkdirPrivate(p: string) {
  await mkdir(p, { mode: 0o700 });
  await chmod(p, 0o700);
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  stdin?: string;
  onStderrLine?: (line: string) => void;
}

function run(cmd: string, args: string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: o.env, stdio: ['pipe', 'pipe', 'pipe'], signal: o.signal });
    const out: Buffer[] = [];
    let err = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString('utf8');
      if (err.length < 64 * 1024) err += s;
      if (!o.onStderrLine) return;
      // Progress lines end in \r while they update, \n when done.
      const parts = (partial + s).split(/[\r\n]/);
      partial = parts.pop() ?? '';
      for (const p of parts) if (p) o.onStderrLine(p);
    });
    child.once('error', (e) => {
      if ((e as { name?: string }).name === 'AbortError') return;
      reject(e);
    });
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.stdin ?? '');
  });
}
