// Two views of a running deployment. On a terminal: a frame redrawn in place (header, counts, the hosts of the
// running batch with their current event). Elsewhere (CI logs, pipes): one plain line per change worth knowing
// (a batch starting, a host finishing or failing, the deployment ending), never repeated.
import { isTerminalTargetStatus } from '@drover/contracts';
import type { TargetInfo } from '@drover/contracts';
import type { Colors } from '../io';
import { duration, shortId, status, truncate } from './format';
import { batchLabel, counts, currentEvent, eventProgress, failedEvent, type ProgressState } from './progress-state';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Hosts listed one per line in the running batch; the rest are summed up, so the frame fits a terminal. */
export const MAX_HOST_LINES = 8;

function bar(done: number, total: number, width: number, c: Colors): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return c.green('█'.repeat(filled)) + c.dim('░'.repeat(width - filled));
}

function hostLine(t: TargetInfo, c: Colors, tick: number): string {
  const ev = currentEvent(t);
  const { done, total } = eventProgress(t);
  if (t.status === 'Failed') {
    const f = failedEvent(t);
    return `${c.red('✗')} ${t.targetId}  ${c.red(`failed at ${f?.lifecycleEventName ?? '?'}`)}${f?.diagnostics?.message ? c.dim(`: ${f.diagnostics.message}`) : ''}`;
  }
  if (t.status === 'Succeeded') return `${c.green('✓')} ${t.targetId}`;
  if (t.status === 'Skipped') return `${c.yellow('-')} ${t.targetId}  ${c.dim('skipped')}`;
  const spin = c.cyan(SPINNER[tick % SPINNER.length]!);
  return `${spin} ${t.targetId}  ${ev ? ev.lifecycleEventName : 'starting'} ${c.dim(`(${done}/${total})`)}`;
}

/** The frame for a terminal, already cut to `width` columns. */
export function renderFrame(
  state: ProgressState,
  opts: { width: number; elapsedMs: number; tick: number; c: Colors },
): string[] {
  const { c } = opts;
  const d = state.deployment;
  if (!d) return [c.dim('waiting for the deployment…')];
  const n = counts(state);
  const finished = n.succeeded + n.failed + n.skipped;
  const lines = [
    `${c.bold(d.deploymentId)}  ${d.applicationName}/${d.deploymentGroupName}  revision ${shortId(d.revision.revisionId)}  ${c.dim(d.deploymentConfig.name)}`,
    [
      status(d.status, c),
      batchLabel(d),
      bar(finished, n.total, 20, c),
      `${finished}/${n.total} hosts`,
      c.green(`✓${n.succeeded}`),
      n.failed ? c.red(`✗${n.failed}`) : c.dim('✗0'),
      ...(n.skipped ? [c.yellow(`-${n.skipped} skipped`)] : []),
      c.dim(duration(opts.elapsedMs)),
    ].join('  '),
  ];
  const ts = [...state.targets.values()];
  const active = ts.filter(
    (t) => t.status === 'InProgress' || t.status === 'Ready' || (t.batch === d.currentBatch && t.status !== 'Pending'),
  );
  for (const t of active.slice(0, MAX_HOST_LINES)) lines.push(`  ${hostLine(t, c, opts.tick)}`);
  if (active.length > MAX_HOST_LINES) lines.push(c.dim(`  … ${active.length - MAX_HOST_LINES} more in this batch`));
  const failedElsewhere = ts.filter((t) => t.status === 'Failed' && !active.includes(t));
  for (const t of failedElsewhere.slice(0, 3)) lines.push(`  ${hostLine(t, c, opts.tick)}`);
  if (failedElsewhere.length > 3) lines.push(c.dim(`  … ${failedElsewhere.length - 3} more failed`));
  if (n.pending) lines.push(c.dim(`  · ${n.pending} host${n.pending === 1 ? '' : 's'} waiting`));
  return lines.map((l) => truncate(l, Math.max(20, opts.width - 1)));
}

/** Remembers what it has printed, and prints each change once. */
export class PlainReporter {
  private printedHeader = false;
  private batchesAnnounced = new Set<number>();
  private hostStatus = new Map<string, string>();
  private lastStatus: string | undefined;

  constructor(private readonly c: Colors) {}

  update(state: ProgressState, elapsedMs: number): string[] {
    const d = state.deployment;
    if (!d) return [];
    const c = this.c;
    const at = c.dim(`[${clock(elapsedMs)}]`);
    const out: string[] = [];
    if (!this.printedHeader) {
      this.printedHeader = true;
      out.push(
        `${d.deploymentId}: revision ${shortId(d.revision.revisionId)} to ${d.applicationName}/${d.deploymentGroupName} (${d.deploymentConfig.name}, ${counts(state).total} hosts, ${d.batchCount} batch${d.batchCount === 1 ? '' : 'es'})`,
      );
    }
    const ts = [...state.targets.values()].sort((a, b) => a.batch - b.batch || a.targetId.localeCompare(b.targetId));
    const started = ts.filter((t) => t.status !== 'Pending' && t.status !== 'Skipped');
    for (const batch of [...new Set(started.map((t) => t.batch))].sort((a, b) => a - b)) {
      if (this.batchesAnnounced.has(batch)) continue;
      this.batchesAnnounced.add(batch);
      const hosts = ts.filter((t) => t.batch === batch).map((t) => t.targetId);
      out.push(`${at} batch ${batch + 1}: ${hosts.join(', ')}`);
    }
    for (const t of ts) {
      if (t.status === this.hostStatus.get(t.targetId)) continue;
      if (!isTerminalTargetStatus(t.status)) continue;
      this.hostStatus.set(t.targetId, t.status);
      if (t.status === 'Skipped') continue; // summed up at the end instead of one line per host
      out.push(`${at} ${t.targetId} ${status(t.status, c)}${t.status === 'Failed' ? failureText(t) : ''}`);
      if (t.status === 'Failed') out.push(...logTail(t, c));
    }
    if (d.status !== this.lastStatus) {
      this.lastStatus = d.status;
      if (d.status === 'Queued') out.push(`${at} queued: another deployment to this group is running`);
    }
    return out;
  }
}

/** ` at ValidateService (ScriptFailed, scripts/check.sh, exit code 1)`: where and why a host failed. */
export function failureText(t: TargetInfo): string {
  const f = failedEvent(t);
  if (!f) return t.errorMessage ? `: ${t.errorMessage}` : '';
  const why = [f.diagnostics?.errorCode, f.diagnostics?.scriptName, f.diagnostics?.message].filter(Boolean).join(', ');
  return ` at ${f.lifecycleEventName}${why ? ` (${why})` : ''}`;
}

/** The last lines of a failed hook's output, indented: often all a CI reader needs. */
export function logTail(t: TargetInfo, c: Colors, max = 10): string[] {
  const tail = failedEvent(t)?.diagnostics?.logTail;
  if (!tail) return [];
  return tail
    .trimEnd()
    .split('\n')
    .slice(-max)
    .map((l) => c.dim(`    | ${l}`));
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
