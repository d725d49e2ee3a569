// Benchmark 5: memory. The real drover-agent, bundled exactly as shipped, idle: registered and long-polling with
// nothing to do, its RSS read from /proc/<pid>/status once it has settled. Twice: with the V8 flags its shebang
// carries (how `./drover-agent.mjs` and the systemd unit run it) and under plain `node drover-agent.mjs`.
// Plus the API's and the worker's RSS (now and peak) with the whole fleet connected.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentBundle, spawnAgent, type ManagedProcess } from '../../tests/support/processes';
import { onCleanup } from '../lib/cleanup';
import { sleep } from '../lib/limit';
import { memoryOf } from '../lib/proc';
import { round, summarize } from '../lib/stats';
import type { ScenarioContext } from './context';
import type { BenchStack } from '../stack/bench-stack';

/** The V8 flags in the bundle's `#!/usr/bin/env -S node …` line. */
export function shebangFlags(bundle: string): string[] {
  const first = readFileSync(bundle, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node\s*(.*)$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

export interface RealAgents {
  plain: ManagedProcess;
  flagged: ManagedProcess;
  flags: string[];
  startedAt: number;
}

/** Starts both variants now; they settle while the fleet registers. */
export function startRealAgents(stack: BenchStack): RealAgents {
  const plain = spawnAgent({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'real-plain',
    tags: [],
  });
  onCleanup('real agent (plain node)', async () => {
    await plain.stop('SIGTERM', 5000);
    rmSync(path.dirname(plain.rootDir), { recursive: true, force: true });
  });
  const bundle = agentBundle();
  onCleanup('agent bundle', () => rmSync(path.dirname(bundle), { recursive: true, force: true }));
  const flags = shebangFlags(bundle);
  const base = mkdtempSync(path.join(tmpdir(), 'drover-agent-real-flagged-'));
  onCleanup('real agent directory', () => rmSync(base, { recursive: true, force: true }));
  const config = path.join(base, 'agent.json');
  mkdirSync(path.join(base, 'root'));
  mkdirSync(path.join(base, 'log'));
  writeFileSync(
    config,
    JSON.stringify({
      serverUrl: stack.url,
      registrationToken: stack.registrationToken,
      instanceName: 'real-flagged',
      tags: [],
      rootDir: path.join(base, 'root'),
      logDir: path.join(base, 'log'),
    }),
  );
  // spawnAgent starts plain `node bundle`; this one runs node with the shebang's flags, as executing the file does.
  const child = spawn(process.execPath, [...flags, bundle, '--config', config], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const flagged: ManagedProcess = {
    name: 'real-flagged',
    proc: child,
    output: () => stderr,
    exited: () => new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', () => r()))),
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await flagged.exited();
      clearTimeout(t);
    },
    restart: () => Promise.reject(new Error('not supported')),
  };
  onCleanup('real agent (shebang flags)', () => flagged.stop());
  return { plain, flagged, flags, startedAt: Date.now() };
}

async function settledRss(p: ManagedProcess, samples: number) {
  const pid = p.proc.pid;
  if (!pid || p.proc.exitCode !== null) throw new Error(`${p.name} is not running:\n${p.output()}`);
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    values.push(memoryOf(pid).rssMb);
    await sleep(1000);
  }
  return summarize(values);
}

export async function agentIdleRss(ctx: ScenarioContext, agents: RealAgents, opts: { settleS: number }) {
  const wait = agents.startedAt + opts.settleS * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  const [flagged, plain] = await Promise.all([settledRss(agents.flagged, 5), settledRss(agents.plain, 5)]);
  ctx.results.add({
    key: 'agent_rss_idle_mb',
    value: flagged.median,
    unit: 'MB',
    median: flagged.median,
    p99: flagged.p99,
    n: flagged.n,
    target: { max: 60, source: 'issue #8' },
    description: `bundled drover-agent idle (registered, long-polling), node ${agents.flags.join(' ')} (its shebang)`,
  });
  ctx.results.add({
    key: 'agent_rss_idle_mb_plain_node',
    value: plain.median,
    unit: 'MB',
    median: plain.median,
    p99: plain.p99,
    n: plain.n,
    description: 'the same under plain `node drover-agent.mjs` (no V8 flags)',
  });
  ctx.results.detail('agent_rss_idle', { settleSeconds: opts.settleS, flags: agents.flags });
  ctx.log(
    `agent idle RSS: ${flagged.median.toFixed(1)} MB with shebang flags, ${plain.median.toFixed(1)} MB plain node`,
  );
  await Promise.all([agents.flagged.stop(), agents.plain.stop()]);
}

export function serverRss(ctx: ScenarioContext) {
  const agents = ctx.fleet.size;
  for (const [name, p] of [
    ['api', ctx.stack.api],
    ['worker', ctx.stack.worker],
  ] as const) {
    const m = memoryOf(p.proc.pid as number);
    ctx.results.add({
      key: `${name}_rss_mb_with_${agents}_agents`,
      value: round(m.rssMb),
      unit: 'MB',
      description: `${name} process RSS with ${agents} agents long-polling, after the runs (peak over the whole run: ${round(m.peakMb)} MB)`,
    });
    ctx.results.add({
      key: `${name}_peak_rss_mb_with_${agents}_agents`,
      value: round(m.peakMb),
      unit: 'MB',
      description: `${name} process peak RSS (VmHWM) over the whole run`,
    });
  }
}
