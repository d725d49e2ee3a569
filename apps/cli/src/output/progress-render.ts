// Two views of a running deployment. On a terminal: a frame redrawn in place (header, counts, the hosts of the
// running batch with their current event; for blue/green the phase, where traffic is and what a wait needs).
// Elsewhere (CI logs, pipes): one plain line per change worth knowing (a batch starting, a host finishing or failing,
// a blue/green phase, a wait and how to end it, the deployment ending), never repeated.
import { isTerminalDeploymentStatus, isTerminalTargetStatus } from '@drover/contracts';
import type { TargetInfo } from '@drover/contracts';
import type { Colors } from '../io';
import { movingSide, phaseText, sideOf, styleText, trafficText, waitNotice } from './blue-green';
import { duration, shortId, status, truncate, visibleLength } from './format';
import { batchLabel, counts, currentEvent, eventProgress, failedEvent, type ProgressState } from './progress-state';

const TRAFFIC_EVENTS = new Set<string>([
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
]);
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
  // Blue/green hosts say which side they are on.
  const side = sideOf(t);
  const name = side ? `${t.targetId} ${c.dim(`(${side})`)}` : t.targetId;
  if (t.status === 'Failed') {
    const f = failedEvent(t);
    return `${c.red('✗')} ${name}  ${c.red(`failed at ${f?.lifecycleEventName ?? '?'}`)}${f?.diagnostics?.message ? c.dim(`: ${f.diagnostics.message}`) : ''}`;
  }
  if (t.status === 'Succeeded') return `${c.green('✓')} ${name}`;
  if (t.status === 'Skipped') return `${c.yellow('-')} ${name}  ${c.dim('skipped')}`;
  if (t.status === 'Ready') return `${c.cyan('◆')} ${name}  installed, waiting to take traffic`;
  const spin = c.cyan(SPINNER[tick % SPINNER.length]!);
  return `${spin} ${name}  ${ev ? ev.lifecycleEventName : 'starting'} ${c.dim(`(${done}/${total})`)}`;
}

/**
 * Word-wraps plain text to `width` columns at spaces; continuation lines are indented by two spaces. A command at the
 * end (`… with: drover …`) is kept whole, so it can be copied from the screen.
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  const indent = text.match(/^ */)?.[0] ?? '';
  const words = text
    .trim()
    .replace(/(?<=with: )drover .*$/, (cmd) => cmd.replaceAll(' ', '\u00a0'))
    .split(/ +/);
  let cur = '';
  for (const word of words) {
    const lead = cur ? `${cur} ` : out.length ? `${indent}  ` : indent;
    if (cur && visibleLength(lead + word) > width) {
      out.push(cur);
      cur = `${indent}  ${word}`;
    } else cur = lead + word;
  }
  if (cur) out.push(cur);
  return out.map((l) => l.replaceAll('\u00a0', ' '));
}

/** The frame for a terminal, already cut to `width` columns. */
export function renderFrame(
  state: ProgressState,
  opts: { width: number; elapsedMs: number; tick: number; c: Colors; now?: number },
): string[] {
  const { c } = opts;
  const d = state.deployment;
  if (!d) return [c.dim('waiting for the deployment…')];
  const n = counts(state);
  const finished = n.succeeded + n.failed + n.skipped;
  const bg = d.blueGreen;
  const width = Math.max(20, opts.width - 1);
  const lines = [
    `${c.bold(d.deploymentId)}  ${d.applicationName}/${d.deploymentGroupName}  revision ${shortId(d.revision.revisionId)}  ${c.dim(d.deploymentConfig.name)}${bg ? c.dim('  blue/green') : ''}`,
    [
      status(d.status, c),
      // Blue/green batches are the replacement's install batches; after that the phase line says where it is.
      ...(!bg || bg.phase === 'install' ? [batchLabel(d)] : []),
      bar(finished, n.total, 20, c),
      `${finished}/${n.total} hosts`,
      c.green(`✓${n.succeeded}`),
      n.failed ? c.red(`✗${n.failed}`) : c.dim('✗0'),
      ...(n.skipped ? [c.yellow(`-${n.skipped} skipped`)] : []),
      c.dim(duration(opts.elapsedMs)),
    ].join('  '),
  ];
  if (bg) {
    lines.push(
      `${c.cyan(bg.isRollback ? 'rollback' : 'blue/green')}  ${phaseText(bg)}  ${c.dim('·')}  ${trafficText(bg)}`,
    );
    // The waits are for the person watching: wrapped rather than cut, so the command to run is whole.
    for (const l of waitNotice(d, opts.now ?? Date.now())) lines.push(...wrap(l, width).map((w) => c.yellow(w)));
  }
  const ts = [...state.targets.values()];
  const active = ts.filter(
    (t) => t.status === 'InProgress' || t.status === 'Ready' || (t.batch === d.currentBatch && t.status !== 'Pending'),
  );
  for (const t of active.slice(0, MAX_HOST_LINES)) lines.push(`  ${hostLine(t, c, opts.tick)}`);
  if (active.length > MAX_HOST_LINES) lines.push(c.dim(`  … ${active.length - MAX_HOST_LINES} more in this batch`));
  const failedElsewhere = ts.filter((t) => t.status === 'Failed' && !active.includes(t));
  for (const t of failedElsewhere.slice(0, 3)) lines.push(`  ${hostLine(t, c, opts.tick)}`);
  if (failedElsewhere.length > 3) lines.push(c.dim(`  … ${failedElsewhere.length - 3} more failed`));
  if (n.pending) lines.push(c.dim(`  · ${pendingText(ts, n.pending)}`));
  return lines.map((l) => truncate(l, width));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 hosts waiting"; for blue/green by side: "2 original hosts waiting" (they serve until the reroute). */
function pendingText(ts: TargetInfo[], pending: number): string {
  const waiting = ts.filter((t) => t.status === 'Pending' || t.status === 'Unknown');
  if (waiting.length === 0 || waiting.every((t) => sideOf(t) === null)) return `${plural(pending, 'host')} waiting`;
  const parts = (['replacement', 'original'] as const)
    .map((side) => ({ side, n: waiting.filter((t) => sideOf(t) === side).length }))
    .filter((p) => p.n > 0)
    .map((p) => `${plural(p.n, `${p.side} host`)}`);
  return `${parts.join(', ')} waiting`;
}

/** Remembers what it has printed, and prints each change once. */
export class PlainReporter {
  private printedHeader = false;
  private batchesAnnounced = new Set<number>();
  private hostStatus = new Map<string, string>();
  private lastStatus: string | undefined;
  /** The blue/green phase and traffic last printed, and the wait notices already printed. */
  private lastPhase: string | undefined;
  private noticesPrinted = new Set<string>();

  constructor(private readonly c: Colors) {}

  update(state: ProgressState, elapsedMs: number, now = Date.now()): string[] {
    const d = state.deployment;
    if (!d) return [];
    const c = this.c;
    const at = c.dim(`[${clock(elapsedMs)}]`);
    const out: string[] = [];
    if (!this.printedHeader) {
      this.printedHeader = true;
      const style = d.deploymentStyle.deploymentType === 'IN_PLACE' ? '' : `${styleText(d)}, `;
      out.push(
        `${d.deploymentId}: revision ${shortId(d.revision.revisionId)} to ${d.applicationName}/${d.deploymentGroupName} (${style}${d.deploymentConfig.name}, ${plural(counts(state).total, 'host')}, ${d.batchCount} batch${d.batchCount === 1 ? '' : 'es'})`,
      );
    }
    const bg = d.blueGreen;
    const ts = [...state.targets.values()].sort((a, b) => a.batch - b.batch || a.targetId.localeCompare(b.targetId));
    // Blue/green batches are the replacement's install waves; the reroute (whose waves the engine numbers as batches
    // too) is told by the phase lines below, so hosts on their traffic events are left out even before the phase is.
    const started = ts.filter(
      (t) =>
        t.status !== 'Pending' &&
        t.status !== 'Skipped' &&
        !(bg && TRAFFIC_EVENTS.has(currentEvent(t)?.lifecycleEventName ?? '')),
    );
    for (const batch of [...new Set(started.map((t) => t.batch))].sort((a, b) => a - b)) {
      if (this.batchesAnnounced.has(batch) || (bg && bg.phase !== 'install')) continue;
      this.batchesAnnounced.add(batch);
      const inBatch = ts.filter((t) => t.batch === batch);
      const sides = [...new Set(inBatch.map(sideOf))];
      const side = sides.length === 1 && sides[0] ? ` (${sides[0]})` : '';
      out.push(`${at} batch ${batch + 1}${side}: ${inBatch.map((t) => t.targetId).join(', ')}`);
    }
    // (Once the targets are known, so a phase line can name the hosts it moves.)
    if (bg && !isTerminalDeploymentStatus(d.status) && ts.length > 0) {
      // A wait's notice says where traffic is itself; other phases get one line each, naming the hosts they move.
      const notice = waitNotice(d, now);
      const phase = `${bg.phase}|${bg.trafficOn}|${bg.isRollback}`;
      if (phase !== this.lastPhase) {
        this.lastPhase = phase;
        if (notice.length === 0) {
          const moving = ts.filter((t) => sideOf(t) === movingSide(bg)).map((t) => t.targetId);
          out.push(`${at} ${bg.isRollback ? 'rollback' : 'blue/green'}: ${phaseText(bg, moving)}; ${trafficText(bg)}`);
        }
      }
      const key = `${bg.phase}|${notice[0] ?? ''}`;
      if (notice.length && !this.noticesPrinted.has(key)) {
        this.noticesPrinted.add(key);
        out.push(...notice.map((l) => `${at} ${c.yellow(l)}`));
      }
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
