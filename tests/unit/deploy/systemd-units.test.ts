// The systemd units for production (deploy/systemd): valid for systemd (`systemd-analyze verify`, as an instance of
// each template), and restarting a crashed API or worker on their own with a short delay, within a start limit.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/processes';

const units = { 'drover-api@.service': 'drover-api@3000.service', 'drover-worker@.service': 'drover-worker@1.service' };

/** `key=value` settings of a unit file, by key (the last one wins, as in systemd). */
function settings(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

describe.each(Object.entries(units))('deploy/systemd/%s', (template, instance) => {
  const file = path.join(REPO_ROOT, 'deploy/systemd', template);

  it('passes systemd-analyze verify as an instance', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drover-units-'));
    try {
      copyFileSync(file, path.join(dir, instance));
      const r = spawnSync('systemd-analyze', ['verify', `./${instance}`], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/unknown|ignoring/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts the process when it fails, after a short delay and within a start limit', () => {
    const s = settings(file);
    expect(s.Restart).toBe('on-failure');
    expect(Number(s.RestartSec)).toBeGreaterThan(0);
    expect(Number(s.RestartSec)).toBeLessThanOrEqual(5);
    expect(Number(s.StartLimitBurst)).toBeGreaterThan(1);
    expect(Number(s.TimeoutStopSec)).toBeGreaterThanOrEqual(15);
    expect(s.ExecStart).toMatch(/^\/usr\/bin\/node apps\/(api|worker)\/dist\/main\.js$/);
  });
});
