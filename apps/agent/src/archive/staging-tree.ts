// Writes archive entries into a fresh, private staging directory, refusing anything that could land outside it.
// The tree keeps its own record of every path it created, so it never needs to ask the file system whether a
// parent is a symlink: it only ever creates parents itself, and refuses to write beneath a symlink it made.
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, symlink } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExtractionBudget } from './budget';
import { entrySegments, foldKey } from './entry-name';
import { ArchiveError } from './errors';

type Kind = 'dir' | 'file' | 'symlink';
const MAX_SYMLINK_HOPS = 40;
// O_EXCL: never reuse an existing path; O_NOFOLLOW: never open through a symlink, even one we did not expect.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class StagingTree {
  private readonly kinds = new Map<string, Kind>();
  private readonly folded = new Map<string, string>();
  private readonly links = new Map<string, string>();
  private readonly dirModes = new Map<string, number>();

  constructor(
    /** Absolute path of the staging directory; created empty by the caller. */
    readonly root: string,
    readonly budget: ExtractionBudget,
  ) {}

  async directory(name: string, mode: number | undefined): Promise<void> {
    const rel = await this.prepare(name, 'directory', true);
    if (rel === '') return; // "./" entries: the root already exists
    if (this.kinds.get(rel) === undefined) await this.makeDir(rel, name);
    if (mode !== undefined) this.dirModes.set(rel, mode & 0o777);
  }

  async file(
    name: string,
    mode: number | undefined,
    data: AsyncIterable<Uint8Array>,
    declaredSize?: number,
  ): Promise<void> {
    const rel = await this.prepare(name, 'entry', false);
    if (declaredSize !== undefined) this.budget.checkDeclared(name, declaredSize);
    const handle = await open(this.abs(rel), CREATE_FLAGS, 0o600).catch((err: NodeJS.ErrnoException) => {
      throw new ArchiveError(`cannot be created (${err.code ?? err.message})`, name);
    });
    this.record(rel, 'file');
    try {
      // Regular files only get permission bits: setuid/setgid/sticky from a bundle are never honoured.
      // Set through the open descriptor, before writing (a read-only mode does not affect an open fd).
      await handle.chmod((mode ?? 0o644) & 0o777);
    } catch (err) {
      await handle.close();
      throw err;
    }
    // The stream owns the handle from here and closes it (FileHandle.close() would wait forever on a
    // stream created with autoClose: false).
    const meter = this.budget.meter((n) => this.budget.addBytes(name, n));
    await pipeline(data, meter, handle.createWriteStream());
  }

  async symlink(name: string, target: string): Promise<void> {
    const rel = await this.prepare(name, 'symlink', false);
    if (target === '' || target.includes('\0')) throw new ArchiveError('symlink has an empty or invalid target', name);
    if (target.includes('\\'))
      throw new ArchiveError(`symlink target ${JSON.stringify(target)} contains a backslash`, name);
    if (isAbsolute(target)) {
      throw new ArchiveError(
        `symlink points to the absolute path ${JSON.stringify(target)} (outside the bundle)`,
        name,
      );
    }
    const parent = rel.split('/').slice(0, -1);
    if (!this.staysInside(parent, target)) {
      throw new ArchiveError(`symlink target ${JSON.stringify(target)} escapes the bundle root`, name);
    }
    await symlink(target, this.abs(rel)).catch((err: NodeJS.ErrnoException) => {
      throw new ArchiveError(`symlink cannot be created (${err.code ?? err.message})`, name);
    });
    this.record(rel, 'symlink');
    this.links.set(rel, target);
  }

  async hardlink(name: string, targetName: string): Promise<void> {
    const rel = await this.prepare(name, 'hardlink', false);
    let targetSegments: string[];
    try {
      targetSegments = entrySegments(targetName, 'hardlink target');
    } catch (err) {
      throw new ArchiveError(
        `hardlink target ${JSON.stringify(targetName)} is unsafe: ${(err as Error).message}`,
        name,
      );
    }
    const targetRel = targetSegments.join('/');
    if (this.kinds.get(targetRel) !== 'file') {
      throw new ArchiveError(
        `hardlink target ${JSON.stringify(targetName)} is not a regular file extracted earlier from this archive`,
        name,
      );
    }
    await link(this.abs(targetRel), this.abs(rel)).catch((err: NodeJS.ErrnoException) => {
      throw new ArchiveError(`hardlink cannot be created (${err.code ?? err.message})`, name);
    });
    this.record(rel, 'file');
  }

  /**
   * Last checks once every entry is known: a symlink that looked safe when written can escape through a later
   * one (`a -> b/..` then `b -> .`), so every link is resolved again against the final tree. Then directory
   * modes are applied, deepest first, so a read-only directory did not block writing its children.
   */
  async finish(): Promise<void> {
    for (const [rel, target] of this.links) {
      if (!this.staysInside(rel.split('/').slice(0, -1), target)) {
        throw new ArchiveError(
          `symlink target ${JSON.stringify(target)} escapes the bundle root through other symlinks`,
          rel,
        );
      }
    }
    const dirs = [...this.kinds].filter(([, k]) => k === 'dir').map(([rel]) => rel);
    dirs.sort((a, b) => b.split('/').length - a.split('/').length);
    for (const rel of dirs) await chmod(this.abs(rel), (this.dirModes.get(rel) ?? 0o755) | 0o700);
  }

  /** Validates the name, refuses duplicates and paths through symlinks, and creates missing parents. */
  private async prepare(name: string, what: string, allowExistingDir: boolean): Promise<string> {
    const segments = entrySegments(name);
    this.budget.addEntry(name);
    const rel = segments.join('/');
    if (rel === '') {
      if (allowExistingDir) return rel;
      throw new ArchiveError(`${what} entry refers to the bundle root itself`, name);
    }
    // Belt and braces: the resolved path must still be strictly inside the root (relative, never string prefix).
    const back = relative(this.root, resolve(this.root, ...segments));
    if (back === '' || back === '..' || back.startsWith('../') || isAbsolute(back)) {
      throw new ArchiveError('resolves outside the bundle root', name);
    }
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const kind = this.kinds.get(parent);
      if (kind === 'symlink') {
        throw new ArchiveError(
          `would be written through the symlink ${JSON.stringify(parent)} created earlier in the archive`,
          name,
        );
      }
      if (kind === 'file') throw new ArchiveError(`has the file ${JSON.stringify(parent)} as a parent directory`, name);
      this.checkCollision(parent, name);
    }
    const existing = this.kinds.get(rel);
    if (existing !== undefined && !(allowExistingDir && existing === 'dir')) {
      throw new ArchiveError(`duplicate entry: an earlier ${existing} with this name was already extracted`, name);
    }
    this.checkCollision(rel, name);
    await this.makeParents(segments.slice(0, -1), name);
    return rel;
  }

  private checkCollision(rel: string, name: string): void {
    const other = this.folded.get(foldKey(rel));
    if (other !== undefined && other !== rel) {
      throw new ArchiveError(
        `collides with ${JSON.stringify(other)} on case-insensitive or Unicode-normalising file systems`,
        name,
      );
    }
  }

  private record(rel: string, kind: Kind): void {
    this.kinds.set(rel, kind);
    this.folded.set(foldKey(rel), rel);
  }

  private abs(rel: string): string {
    return resolve(this.root, ...rel.split('/'));
  }

  private async makeDir(rel: string, name: string): Promise<void> {
    await mkdir(this.abs(rel), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      throw new ArchiveError(`directory cannot be created (${err.code ?? err.message})`, name);
    });
    this.record(rel, 'dir');
  }

  /** Parents are created by the tree itself, one level at a time, never with recursive mkdir. */
  private async makeParents(parents: string[], name: string): Promise<void> {
    for (let i = 1; i <= parents.length; i++) {
      const rel = parents.slice(0, i).join('/');
      if (this.kinds.get(rel) === 'dir') continue;
      await mkdir(this.abs(rel), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        throw new ArchiveError(`parent directory cannot be created (${err.code ?? err.message})`, name);
      });
      this.record(rel, 'dir');
    }
  }

  /** Resolves `target` from directory `from` as the kernel would, following links recorded in this tree. */
  private staysInside(from: string[], target: string): boolean {
    const stack = [...from];
    const queue = target.split('/');
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift() as string;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) return false;
        stack.pop();
        continue;
      }
      stack.push(part);
      const key = stack.join('/');
      const linkTarget = this.kinds.get(key) === 'symlink' ? this.links.get(key) : undefined;
      if (linkTarget !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS || isAbsolute(linkTarget)) return false;
        stack.pop();
        queue.unshift(...linkTarget.split('/'));
      }
    }
    return true;
  }
}
