// An append-only log file that rotates by size (file → file.1 → … → file.N, oldest dropped).
// Writes are synchronous on purpose: lines are small, the disk is local, and a log line that reaches the
// file before the process dies is worth more than the microseconds an async queue would save.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  maxBytes: number;
  /** Rotated files to keep besides the live one. */
  keep: number;
  mode?: number;
}

export class RotatingFile {
  private fd: number | null = null;
  private size = 0;
  private failed = false;

  constructor(
    readonly path: string,
    private readonly options: RotatingFileOptions,
  ) {}

  write(text: string): void {
    if (this.failed) return;
    try {
      const data = Buffer.from(text, 'utf8');
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + data.length > this.options.maxBytes) this.rotate();
      writeSync(this.fd as number, data);
      this.size += data.length;
    } catch (err) {
      // A full or read-only disk must not take the agent down; stderr still carries the agent log.
      this.failed = true;
      process.stderr.write(`drover-agent: cannot write ${this.path}: ${(err as Error).message}\n`);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
    this.fd = openSync(this.path, 'a', this.options.mode ?? 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    rmSync(`${this.path}.${this.options.keep}`, { force: true });
    for (let i = this.options.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch {
        // Missing generations are normal until the log has rotated `keep` times.
      }
    }
    if (this.options.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.open();
  }
}
