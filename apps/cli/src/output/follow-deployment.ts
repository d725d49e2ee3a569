// `--wait`: follows a deployment to its end with a live display on stderr (redrawn in place on a terminal, plain
// lines otherwise), then prints the outcome. The exit code is the outcome: 0 Succeeded, 1 Failed or Stopped.
// A blue/green deployment waiting in Ready has not ended: the display says how to continue it and the wait goes on,
// unless `--until-ready` asked to stop there (exit 0 once the replacement hosts are installed).
import type { DroverClient } from '@drover/client';
import type { DeploymentInfo } from '@drover/contracts';
import type { Context } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors';
import { line } from '../io';
import { reachedReady, trafficText, waitNotice } from './blue-green';
import { duration } from './format';
import { PlainReporter, failureText, renderFrame } from './progress-render';
import { applyEvent, counts, emptyProgress, failedEvent, type ProgressState } from './progress-state';

const FRAME_MS = 120;

export interface FollowOptions {
  /** Give up after this many seconds (the deployment keeps running). */
  timeoutSeconds?: number | undefined;
  /** Blue/green: end (exit 0) once the replacement hosts are installed and the deployment is Ready. */
  untilReady?: boolean | undefined;
}

/** How often `--until-ready` re-reads the deployment besides the stream, so a lost message cannot hide Ready. */
const READY_POLL_MS = 5000;

export async function followDeployment(
  ctx: Context,
  client: DroverClient,
  id: string,
  opts: FollowOptions = {},
): Promise<number> {
  const started = Date.now();
  const state = emptyProgress();
  const display = ctx.io.stderr.isTTY ? new LiveFrame(ctx, state, started) : new PlainLines(ctx, state, started);
  const abort = new AbortController();
  const timer = opts.timeoutSeconds ? setTimeout(() => abort.abort(), opts.timeoutSeconds * 1000) : undefined;
  /** Set when `--until-ready` is satisfied: the deployment as it was then. */
  let ready: DeploymentInfo | undefined;
  const atReady = (d: DeploymentInfo) => {
    if (!opts.untilReady || ready || !reachedReady(d)) return;
    ready = d;
    abort.abort();
  };
  const readyPoll = opts.untilReady
    ? setInterval(() => {
        client.deployments
          .get(id, abort.signal)
          .then(atReady)
          .catch(() => undefined); // the stream reports lasting trouble; this is only a safety net
      }, READY_POLL_MS)
    : undefined;
  const onInterrupt = () => {
    display.close();
    ctx.note(`stopped watching; ${id} keeps running (\`drover deployment wait ${id}\` to watch again)`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let final: DeploymentInfo | undefined;
  try {
    final = await client.deployments.wait(id, {
      signal: abort.signal,
      onEvent: (e) => {
        if (applyEvent(state, e)) display.changed();
        if (e.type === 'deployment') atReady(e.deployment);
      },
    });
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    clearInterval(readyPoll);
    process.removeListener('SIGINT', onInterrupt);
    display.close();
  }
  if (ready && !final) {
    ctx.emit(ready, () => undefined);
    for (const l of readyLines(ready, ctx)) line(ctx.json ? ctx.io.stderr : ctx.io.stdout, l);
    return EXIT_OK;
  }
  if (!final) {
    throw new CliError(
      `gave up after ${opts.timeoutSeconds}s: ${id} is still ${state.deployment?.status ?? 'running'}`,
      {
        hint: `it keeps running: \`drover deployment wait ${id}\` to watch again, \`drover deployment stop ${id}\` to stop it`,
      },
    );
  }
  ctx.emit(final, () => undefined);
  const summary = outcomeLines(final, state, Date.now() - started, ctx);
  for (const l of summary) line(ctx.json ? ctx.io.stderr : ctx.io.stdout, l);
  return final.status === 'Succeeded' ? EXIT_OK : EXIT_FAILED;
}

/** `--until-ready` ended the wait: where the deployment is and what to run next. */
export function readyLines(d: DeploymentInfo, ctx: Context, now = Date.now()): string[] {
  const c = ctx.json ? ctx.io.err : ctx.io.out;
  const notice = waitNotice(d, now);
  if (d.status === 'Ready' && notice.length)
    return [`${c.cyan('◆')} ${d.deploymentId} ${notice[0]}`, ...notice.slice(1)];
  // It did not stop at Ready (CONTINUE_DEPLOYMENT), or was already past it: say where it is now.
  const bg = d.blueGreen!;
  return [
    `${c.cyan('◆')} ${d.deploymentId} is past Ready (${bg.phase}): the replacement hosts are installed; ${trafficText(bg)}`,
    ...notice,
    c.dim(`follow it to the end: drover deployment wait ${d.deploymentId}`),
  ];
}

export function outcomeLines(d: DeploymentInfo, state: ProgressState, elapsedMs: number, ctx: Context): string[] {
  const c = ctx.json ? ctx.io.err : ctx.io.out;
  const n = counts(state);
  // Blue/green: where traffic ended up is the first thing to know.
  const traffic = d.blueGreen ? `; ${trafficText(d.blueGreen)}` : '';
  if (d.status === 'Succeeded') {
    return [
      `${c.green('✓')} ${d.deploymentId} ${c.green('Succeeded')}: ${n.succeeded}/${n.total} hosts in ${duration(elapsedMs)}${traffic}`,
    ];
  }
  const mark = d.status === 'Stopped' ? c.yellow('■') : c.red('✗');
  const word = d.status === 'Stopped' ? c.yellow(d.status) : c.red(d.status);
  const why = d.errorInformation ? ` (${d.errorInformation.code}): ${d.errorInformation.message}` : '';
  const out = [`${mark} ${d.deploymentId} ${word}${why}`];
  if (d.blueGreen) out.push(`  ${trafficText(d.blueGreen)}`);
  const failed = [...state.targets.values()].filter((t) => t.status === 'Failed');
  for (const t of failed.slice(0, 10)) out.push(`  ${t.targetId} failed${failureText(t)}`);
  if (failed.length > 10) out.push(`  … and ${failed.length - 10} more`);
  if (n.skipped) out.push(`  ${n.skipped} host${n.skipped === 1 ? '' : 's'} skipped`);
  const first = failed[0];
  const ev = first && failedEvent(first);
  if (first && ev) {
    out.push(
      c.dim(
        `hint: the whole output: drover logs ${d.deploymentId} --host ${first.targetId} --event ${ev.lifecycleEventName}`,
      ),
    );
  }
  const rb = d.rollbackInfo.rollbackDeploymentId;
  if (rb) out.push(`rolling back: ${rb} (\`drover deployment wait ${rb}\`)`);
  return out;
}

interface Display {
  changed(): void;
  close(): void;
}

/** A frame redrawn in place on stderr, at most every FRAME_MS, with a spinner ticking in between. */
class LiveFrame implements Display {
  private drawn = 0;
  private tick = 0;
  private dirty = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: Context,
    private readonly state: ProgressState,
    private readonly started: number,
  ) {
    ctx.io.stderr.write('\x1b[?25l'); // hide the cursor while redrawing
    this.timer = setInterval(() => {
      this.tick++;
      this.draw();
    }, FRAME_MS);
  }

  changed() {
    this.dirty = true;
  }

  private draw() {
    const frame = renderFrame(this.state, {
      width: this.ctx.io.stderr.columns || 100,
      elapsedMs: Date.now() - this.started,
      tick: this.tick,
      c: this.ctx.io.err,
    });
    const erase = this.drawn ? `\x1b[${this.drawn}A\r\x1b[0J` : '';
    this.ctx.io.stderr.write(`${erase}${frame.join('\n')}\n`);
    this.drawn = frame.length;
    this.dirty = false;
  }

  close() {
    clearInterval(this.timer);
    if (this.dirty || this.drawn === 0) this.draw();
    this.ctx.io.stderr.write('\x1b[?25h');
  }
}

/** One line per change, for logs. */
class PlainLines implements Display {
  private readonly reporter: PlainReporter;

  constructor(
    private readonly ctx: Context,
    private readonly state: ProgressState,
    private readonly started: number,
  ) {
    this.reporter = new PlainReporter(ctx.io.err);
  }

  changed() {
    for (const l of this.reporter.update(this.state, Date.now() - this.started)) line(this.ctx.io.stderr, l);
  }

  close() {
    this.changed();
  }
}
