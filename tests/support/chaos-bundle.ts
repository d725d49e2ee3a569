// The revision the chaos suite deploys to real agents: an appspec whose every hook runs one recording script. The
// script appends "start <event> <deploymentId> <pid>" and "end …" lines to $HOME/hook-events.log (spawnAgent gives
// each agent its own HOME), so a test counts how often each lifecycle event really ran on each host. Files in
// $HOME steer it while a deployment runs: `hook-sleep` holds seconds to sleep in every hook, `hold-<event>` keeps
// that event's hook running until the file is removed (at most 120 s, so a hook orphaned by a killed agent ends).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The events whose scripts come from the deployed revision (ApplicationStop runs the previous one's). */
export const HOOK_EVENTS = ['BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService'] as const;

const RECORD_SH = `#!/bin/sh
# Records one run of a lifecycle hook for the chaos tests (see tests/support/chaos-bundle.ts).
log="$HOME/hook-events.log"
echo "start $LIFECYCLE_EVENT $DEPLOYMENT_ID $$" >> "$log"
if [ -f "$HOME/hook-sleep" ]; then sleep "$(cat "$HOME/hook-sleep")"; fi
n=0
while [ -f "$HOME/hold-$LIFECYCLE_EVENT" ] && [ "$n" -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
echo "end $LIFECYCLE_EVENT $DEPLOYMENT_ID $$" >> "$log"
`;

function appspec(): string {
  const hooks = ['ApplicationStop', ...HOOK_EVENTS]
    .map((event) => `  ${event}:\n    - location: hooks/record.sh\n      timeout: 300\n`)
    .join('');
  return `version: 0.0\nos: linux\nhooks:\n${hooks}`;
}

/** A tgz revision built with tar(1); `label` makes its bytes (and so its sha256) unique. */
export function recordingBundle(label: string): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-chaos-bundle-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'hooks'), { recursive: true });
    writeFileSync(path.join(root, 'appspec.yml'), appspec());
    writeFileSync(path.join(root, 'hooks/record.sh'), RECORD_SH, { mode: 0o755 });
    writeFileSync(path.join(root, 'label.txt'), `${label}\n`);
    const out = path.join(dir, 'bundle.tgz');
    const r = spawnSync('tar', ['-czf', out, '-C', root, '.'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HookRun {
  phase: 'start' | 'end';
  event: string;
  deploymentId: string;
  pid: number;
}

/** Everything the recording hook wrote on the host whose HOME is `home`. */
export function hookRuns(home: string): HookRun[] {
  const file = path.join(home, 'hook-events.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [phase, event, deploymentId, pid] = line.split(' ');
      return {
        phase: phase as HookRun['phase'],
        event: event ?? '',
        deploymentId: deploymentId ?? '',
        pid: Number(pid),
      };
    });
}

/** "event → number of starts" for one deployment on one host. */
export function hookStarts(home: string, deploymentId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of hookRuns(home)) {
    if (r.phase === 'start' && r.deploymentId === deploymentId) counts[r.event] = (counts[r.event] ?? 0) + 1;
  }
  return counts;
}

export function setHookSleep(home: string, seconds: number | null) {
  const file = path.join(home, 'hook-sleep');
  if (seconds === null) rmSync(file, { force: true });
  else writeFileSync(file, String(seconds));
}

export function hold(home: string, event: string) {
  writeFileSync(path.join(home, `hold-${event}`), '');
}

export function release(home: string, event: string) {
  try {
    unlinkSync(path.join(home, `hold-${event}`));
  } catch {
    // not held
  }
}
