// Output of one command (lifecycle event): every line goes to a local rotated file at once, and is streamed to
// the API in ordered chunks (flushed every ~250 ms or 32 KB). The in-memory queue is bounded: when the API is
// slow, writers are asked to wait (the hook's pipes stop being read); when it is unreachable, chunks are
// dropped from memory (they are in the local file) and streaming resumes later with a note about the gap.
import { MAX_LOG_CHUNK_BYTES, type CommandStatus } from '@drover/contracts';
import { ApiError } from '../api/api-error';
import { backoffDelay, sleep } from '../api/backoff';
import { MAX_LINE_CHARS } from '../hooks/line-splitter';
import { RotatingFile } from './rotating-file';

export type ChunkSender = (
  chunk: { seq: number; data: string },
  signal: AbortSignal,
) => Promise<{ status: CommandStatus }>;

export interface CommandLogOptions {
  localPath: string;
  header: string;
  /** null: keep the output local (and in the tail) without streaming it. */
  send: ChunkSender | null;
  /** Called with the server's view of the command after each accepted chunk. */
  onServerStatus?: (status: CommandStatus) => void;
  flushIntervalMs?: number;
  chunkBytes?: number;
  maxQueuedChunks?: number;
  tailChars?: number;
  /** Backoff while the API is unreachable, between attempts to resume streaming. */
  offlineBaseMs?: number;
  offlineCapMs?: number;
}

interface Pending {
  data: string;
  /** Assigned on the first send attempt, never reused: the server may have stored a chunk whose answer we lost. */
  seq?: number;
}

export class CommandLog {
  private readonly file: RotatingFile;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly queue: Pending[] = [];
  private nextSeq = 0;
  private pumping: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private offlineUntil = 0;
  private offlineStreak = 0;
  /** Sending the first chunk after an outage: one attempt only, and writers are never held up by it. */
  private probing = false;
  private droppedBytes = 0;
  /** Dropped since the last note about it went out. */
  private unreported = 0;
  private tailText = '';
  private readonly inflight = new AbortController();
  private readonly o: Required<Omit<CommandLogOptions, 'onServerStatus'>> & Pick<CommandLogOptions, 'onServerStatus'>;

  constructor(options: CommandLogOptions) {
    this.o = {
      flushIntervalMs: 250,
      chunkBytes: 32 * 1024,
      maxQueuedChunks: 16,
      tailChars: 4096,
      offlineBaseMs: 1000,
      offlineCapMs: 60_000,
      ...options,
    };
    this.file = new RotatingFile(options.localPath, { maxBytes: 50 * 1024 * 1024, keep: 1 });
    this.file.write(`${options.header}\n`);
  }

  get localPath(): string {
    return this.o.localPath;
  }

  /** A line from the agent itself (what it is doing, warnings). */
  agent(text: string): void {
    this.append(`[agent] ${text}`);
  }

  /** A line of hook output; the returned promise (if any) resolves when the queue has room again. */
  output(stream: 'stdout' | 'stderr', line: string): Promise<void> | undefined {
    this.append(`[${stream}]${line}`);
    if (this.probing || this.queue.length < this.o.maxQueuedChunks) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The last few KB of everything written, for the completion's diagnostics. */
  tail(): string {
    return this.tailText;
  }

  /** Flushes what is left and waits (up to `timeoutMs`) for it to reach the API, then closes the file. */
  async close(timeoutMs = 10_000): Promise<{ droppedBytes: number }> {
    this.seal();
    const drained = this.pumping ?? Promise.resolve();
    const inTime = await Promise.race([drained.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!inTime) {
      this.inflight.abort();
      for (const item of this.queue.splice(0)) this.drop(item.data);
    }
    if (this.droppedBytes > 0) {
      this.file.write(`[agent] ${this.droppedBytes} bytes of this log were not delivered to the control plane\n`);
    }
    this.file.close();
    this.wake();
    return { droppedBytes: this.droppedBytes };
  }

  private append(line: string): void {
    // Hook lines are already at most 16K characters; agent lines (error messages) are cut the same way.
    const text = `${line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line}\n`;
    const bytes = Buffer.byteLength(text);
    // Never let a chunk pass the protocol's 64 KB limit, even for long lines of multi-byte characters.
    if (this.bufferBytes > 0 && this.bufferBytes + bytes > MAX_LOG_CHUNK_BYTES) this.seal();
    this.file.write(`${new Date().toISOString()} ${text}`);
    this.tailText = (this.tailText + text).slice(-this.o.tailChars);
    this.buffer.push(text);
    this.bufferBytes += bytes;
    if (this.bufferBytes >= this.o.chunkBytes) this.seal();
    else this.flushTimer ??= setTimeout(() => this.seal(), this.o.flushIntervalMs);
  }

  private seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffer.length === 0) return;
    let data = this.buffer.join('');
    this.buffer = [];
    this.bufferBytes = 0;
    if (!this.o.send) return;
    const full = this.queue.length >= this.o.maxQueuedChunks * (this.probing ? 1 : 4);
    if (Date.now() < this.offlineUntil || full) {
      // Unreachable API (or a writer ignoring back-pressure): keep memory bounded; the local file has it all.
      this.drop(data);
      return;
    }
    if (this.unreported > 0) {
      data = `[agent] ${this.unreported} bytes of output were not streamed while the control plane was unreachable; the full log is on the host at ${this.o.localPath}\n${data}`;
      this.unreported = 0;
    }
    this.queue.push({ data });
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    const send = this.o.send;
    if (!send) return;
    let attempts = 0;
    while (this.queue.length > 0) {
      const item = this.queue[0] as Pending;
      item.seq ??= this.nextSeq++;
      this.probing = this.offlineStreak > 0;
      try {
        const { status } = await send({ seq: item.seq, data: item.data }, this.inflight.signal);
        this.queue.shift();
        attempts = 0;
        this.offlineStreak = 0;
        this.probing = false;
        this.wake();
        this.o.onServerStatus?.(status);
      } catch (err) {
        if (this.inflight.signal.aborted) return;
        if (err instanceof ApiError && err.kind === 'rejected') {
          this.queue.shift(); // this chunk can never be accepted; later ones still can
          this.drop(item.data);
          continue;
        }
        if (!this.probing && ++attempts < 3 && !(err instanceof ApiError && err.kind === 'unauthorized')) {
          await sleep(250 * 2 ** attempts);
          continue;
        }
        this.goOffline();
        return;
      }
    }
  }

  private drop(data: string): void {
    const bytes = Buffer.byteLength(data);
    this.droppedBytes += bytes;
    this.unreported += bytes;
  }

  private goOffline(): void {
    this.probing = false;
    for (const item of this.queue.splice(0)) this.drop(item.data);
    const policy = { baseMs: this.o.offlineBaseMs, capMs: this.o.offlineCapMs };
    this.offlineUntil = Date.now() + backoffDelay(this.offlineStreak, policy);
    this.offlineStreak += 1;
    this.wake();
  }

  private wake(): void {
    if (this.queue.length >= this.o.maxQueuedChunks) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
