// <root>/journal/<commandId>.json: what the agent is doing, written before it starts. After a crash the entry
// tells the next start which event to fail ("agent restarted during …"); after a finished command it holds
// the result until the API has accepted it, so results survive control-plane outages and restarts alike.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentCompleteRequest, HostCommand } from '@drover/contracts';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './atomic-json';

export const JournalEntry = z.object({
  command: HostCommand,
  startedAt: z.string(),
  /** Present once the command has finished and only its delivery is outstanding. */
  result: AgentCompleteRequest.optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export class Journal {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(commandId: string): string {
    return join(this.dir, `${commandId}.json`);
  }

  async write(entry: JournalEntry): Promise<void> {
    await writeJsonAtomic(this.file(entry.command.commandId), entry);
  }

  async remove(commandId: string): Promise<void> {
    await unlink(this.file(commandId)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** Every entry, oldest first; unreadable files are reported through `onBad` and skipped. */
  async list(onBad: (file: string, reason: string) => void): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.dir, name);
      try {
        const parsed = JournalEntry.safeParse(await readJson(path));
        if (parsed.success) entries.push(parsed.data);
        else onBad(path, parsed.error.issues[0]?.message ?? 'invalid');
      } catch (err) {
        onBad(path, (err as Error).message);
      }
    }
    return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
