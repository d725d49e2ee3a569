// Starting the upgraded build. Under systemd (INVOCATION_ID is set) the agent just exits: the unit's
// Restart=always starts the new file, and a child started here would die with the unit's processes. Anywhere else
// it starts the new build itself, detached, with the same arguments and output, then exits.
import { spawn } from 'node:child_process';
import type { RunningBuild } from './self-upgrade';

export function restartInto(build: RunningBuild, log: (line: string) => void): void {
  if (process.env.INVOCATION_ID) {
    log('exiting for systemd to start the upgraded agent');
    return;
  }
  const args = process.argv.slice(2);
  const [cmd, argv] =
    build.kind === 'bundle' ? [process.execPath, [...process.execArgv, build.path, ...args]] : [build.path, args];
  const child = spawn(cmd, argv, { detached: true, stdio: 'inherit', env: process.env });
  child.unref();
  log(`started the upgraded agent (pid ${child.pid ?? 'unknown'})`);
}
