// Which processes belong to a hook. Normally that is one process group (spawned detached). `su -c` however
// starts the command in a new session (util-linux does this against TIOCSTI injection), which takes it out of
// our group; those sessions are discovered through /proc so that a timeout still kills everything.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** One-letter state from /proc (Z = zombie: exited, holds no files, only waits to be reaped). */
  state: string;
}

/** Every process visible in /proc (empty where /proc does not exist). */
export function listProcesses(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp session …"; comm may contain spaces and parentheses, so cut at the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({
        pid: Number(name),
        state: fields[0] ?? '?',
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        sid: Number(fields[3]),
      });
    } catch {
      // The process exited between readdir and read.
    }
  }
  return out;
}

/** Sessions other than `ownGroup` that descendants of `rootPid` run in. */
export function descendantSessions(rootPid: number, ownGroup: number, procs = listProcesses()): Set<number> {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const sessions = new Set<number>();
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      if (child.sid !== ownGroup && child.sid !== 0) sessions.add(child.sid);
      queue.push(child.pid);
    }
  }
  return sessions;
}

/** Live (non-zombie) processes in group `pgid` or in any of `sessions`. */
export function membersOf(pgid: number, sessions: Set<number>, procs = listProcesses()): ProcInfo[] {
  return procs.filter((p) => p.state !== 'Z' && (p.pgid === pgid || sessions.has(p.sid)));
}

/** Whether anything of the hook is still running; falls back to kill(-pgid, 0) where there is no /proc. */
export function groupAlive(pgid: number, sessions: Set<number>): boolean {
  const procs = listProcesses();
  if (procs.length > 0) return membersOf(pgid, sessions, procs).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
