// The fleet simulator in a process of its own: RemoteFleet forks this file (`node --import tsx`, from the repository
// root) and talks to it over the IPC channel (protocol.ts). It runs a Fleet and streams what its hosts do to the
// parent in batches a few ms apart, so the parent's waits see commands as they arrive without a message per call.
// Times are sent on this process's performance.now() scale; the parent shifts them onto its own (see `ready`).
// When the parent goes away (the channel closes), the hosts are stopped and the process exits.
import { Fleet } from './fleet';
import { ChildMessage, ParentMessage, monotonicOffsetMs, type DoneUpdate, type FleetStatus } from './protocol';
import type { CallError, CommandRecord } from './records';
import { loopDelayWindow } from './sim-fleet';

/** How long a record may wait for company before it is sent. */
const BATCH_MS = 5;
/** How often the status (size, held polls, calls) is sent. */
const STATUS_MS = 100;

let fleet: Fleet | undefined;
let commands: CommandRecord[] = [];
let done: DoneUpdate[] = [];
let errors: CallError[] = [];
const seqOf = new Map<CommandRecord, number>();
let nextSeq = 0;
let batchTimer: NodeJS.Timeout | undefined;
let statusTimer: NodeJS.Timeout | undefined;
/** Event-loop delay windows, by the id of the request that started them. */
const windows = new Map<number, () => number>();

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('fleet-process: no IPC channel (run it through RemoteFleet)'));
    process.send(m, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

function status(f: Fleet): FleetStatus {
  return { size: f.size, polling: f.polling, calls: Object.fromEntries(f.calls) };
}

/** Sends what is pending (and the status when asked); a batch is serialised when sent, so later changes wait. */
function flush(withStatus: boolean): Promise<void> {
  if (batchTimer) clearTimeout(batchTimer);
  batchTimer = undefined;
  if (!withStatus && commands.length === 0 && done.length === 0 && errors.length === 0) return Promise.resolve();
  const batch: ChildMessage = {
    t: 'batch',
    commands,
    done,
    errors,
    ...(withStatus && fleet ? { status: status(fleet) } : {}),
  };
  commands = [];
  done = [];
  errors = [];
  return send(batch);
}

function schedule() {
  batchTimer ??= setTimeout(() => void flush(false).catch(die), BATCH_MS);
}

function die(err: unknown) {
  console.error(`fleet-process: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}

async function perform(m: Exclude<ParentMessage, { t: 'init' }>, f: Fleet): Promise<number | undefined> {
  switch (m.t) {
    case 'register':
      await f.register(m.count, m.opts);
      return undefined;
    case 'behaviour':
      await f.setBehaviour(m.behaviour);
      return undefined;
    case 'flush':
      return undefined;
    case 'loop-start':
      windows.set(m.id, loopDelayWindow());
      return undefined;
    case 'loop-end': {
      const end = windows.get(m.window);
      if (!end) throw new Error(`no event-loop window ${m.window}`);
      windows.delete(m.window);
      return end();
    }
    case 'stop':
      await f.stop();
      return undefined;
  }
}

async function handle(raw: unknown) {
  const parsed = ParentMessage.safeParse(raw);
  if (!parsed.success) throw new Error(`fleet-process: bad message from the parent: ${parsed.error.message}`);
  const m = parsed.data;
  if (m.t === 'init') {
    if (fleet) throw new Error('fleet-process: initialised twice');
    const f = new Fleet({
      url: m.url,
      registrationToken: m.registrationToken,
      ...(m.namePrefix !== undefined ? { namePrefix: m.namePrefix } : {}),
      behaviour: m.behaviour,
    });
    fleet = f;
    f.onCommand((r) => {
      seqOf.set(r, nextSeq++);
      commands.push(r);
      schedule();
    });
    f.onDone((r) => {
      const seq = seqOf.get(r);
      if (seq === undefined) return;
      seqOf.delete(r);
      done.push({ seq, completeSentAt: r.completeSentAt, completedAt: r.completedAt, status: r.status });
      schedule();
    });
    f.onError((e) => {
      errors.push(e);
      schedule();
    });
    statusTimer = setInterval(() => void flush(true).catch(die), STATUS_MS);
    await send({ t: 'ready', pid: process.pid, monotonicOffsetMs: monotonicOffsetMs() });
    return;
  }
  if (!fleet) throw new Error(`fleet-process: ${m.t} before init`);
  let reply: ChildMessage;
  try {
    const value = await perform(m, fleet);
    reply = { t: 'reply', id: m.id, ok: true, ...(value !== undefined ? { value } : {}) };
  } catch (err) {
    reply = { t: 'reply', id: m.id, ok: false, error: (err as Error).message };
  }
  // Everything that happened before the reply goes first (IPC keeps the order).
  await flush(true);
  await send(reply);
  if (m.t === 'stop') {
    clearInterval(statusTimer);
    process.disconnect();
  }
}

process.on('message', (raw) => void handle(raw).catch(die));
// The parent is gone (or has let go after stop): stop whatever still runs and leave.
process.on('disconnect', () => {
  clearInterval(statusTimer);
  if (batchTimer) clearTimeout(batchTimer);
  void (fleet?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
