// <root>/status.json: what the running agent is doing, for `drover-agent status` (another process) to read.
// Written atomically on start, after every poll answer or failure and when a command starts or ends; it holds
// no secret, so it is readable by others (0644) and an operator need not be root to ask what the agent does.
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './atomic-json';

export const AgentStatusRecord = z.object({
  pid: z.number().int(),
  version: z.string(),
  startedAt: z.string(),
  serverUrl: z.string(),
  /** The last poll the API answered. */
  lastPollAt: z.string().nullable(),
  /** The last poll that failed, and why (cleared by the next answered poll). */
  lastPollError: z.object({ at: z.string(), message: z.string() }).nullable(),
  currentCommand: z
    .object({
      commandId: z.string(),
      deploymentId: z.string(),
      lifecycleEvent: z.string(),
      applicationName: z.string(),
      deploymentGroupName: z.string(),
      startedAt: z.string(),
    })
    .nullable(),
  /** Set when the agent stopped cleanly; a record without it whose pid is gone means the agent died. */
  stoppedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type AgentStatusRecord = z.infer<typeof AgentStatusRecord>;

export function statusFilePath(rootDir: string): string {
  return join(rootDir, 'status.json');
}

export async function readStatusFile(rootDir: string): Promise<AgentStatusRecord | null> {
  const raw = await readJson(statusFilePath(rootDir));
  if (raw === null) return null;
  const parsed = AgentStatusRecord.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

type Patch = Partial<Omit<AgentStatusRecord, 'updatedAt'>>;

/** The running agent's writer. Writes are serialised, and a failed write is reported once, never fatal. */
export class StatusFile {
  private record: AgentStatusRecord;
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(
    private readonly rootDir: string,
    initial: { version: string; serverUrl: string },
    private readonly onWriteError: (message: string) => void,
  ) {
    const now = new Date().toISOString();
    this.record = {
      pid: process.pid,
      version: initial.version,
      startedAt: now,
      serverUrl: initial.serverUrl,
      lastPollAt: null,
      lastPollError: null,
      currentCommand: null,
      stoppedAt: null,
      updatedAt: now,
    };
  }

  update(patch: Patch): Promise<void> {
    this.record = { ...this.record, ...patch, updatedAt: new Date().toISOString() };
    const snapshot = this.record;
    this.chain = this.chain.then(() =>
      writeJsonAtomic(statusFilePath(this.rootDir), snapshot, 0o644).catch((err: Error) => {
        if (this.warned) return;
        this.warned = true;
        this.onWriteError(`cannot write ${statusFilePath(this.rootDir)}: ${err.message}`);
      }),
    );
    return this.chain;
  }
}
