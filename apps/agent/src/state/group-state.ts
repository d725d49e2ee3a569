// <root>/groups/<groupId>/state.json: what this host knows about one deployment group — the revision last
// installed successfully (never pruned; ApplicationStop comes from it) and the files that install created.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './atomic-json';

export const GroupState = z.object({
  lastSuccessful: z
    .object({ revisionId: z.string(), deploymentId: z.string(), installedAt: z.string() })
    .nullable()
    .default(null),
  mostRecent: z.object({ revisionId: z.string(), deploymentId: z.string(), at: z.string() }).nullable().default(null),
  /** Absolute paths the last Install created, in creation order; directories end with '/'. */
  cleanup: z.array(z.string()).default([]),
});
export type GroupState = z.infer<typeof GroupState>;

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Ids from the server become directory names; anything that could be a path is refused. */
export function safeId(id: string, what: string): string {
  if (!SAFE_ID.test(id)) throw new Error(`${what} ${JSON.stringify(id)} cannot be used as a directory name`);
  return id;
}

export function groupDir(rootDir: string, groupId: string): string {
  return join(rootDir, 'groups', safeId(groupId, 'deployment group id'));
}

export async function readGroupState(rootDir: string, groupId: string): Promise<GroupState> {
  const raw = await readJson(join(groupDir(rootDir, groupId), 'state.json'));
  return GroupState.parse(raw ?? {});
}

export async function writeGroupState(rootDir: string, groupId: string, state: GroupState): Promise<void> {
  const dir = groupDir(rootDir, groupId);
  await mkdir(dir, { recursive: true, mode: 0o711 }); // traversable for runas hooks; state.json itself is 0600
  await writeJsonAtomic(join(dir, 'state.json'), state);
}
