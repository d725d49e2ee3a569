// Everything the benchmark starts registers how to undo it here: processes, the database, Redis keys, temp dirs.
// The undo steps run once, newest first, on normal exit, on an error, and on Ctrl-C or SIGTERM.

type Step = { what: string; fn: () => Promise<unknown> | unknown };
const steps: Step[] = [];
let running: Promise<void> | null = null;

export function onCleanup(what: string, fn: Step['fn']) {
  steps.push({ what, fn });
}

export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (steps.length) {
      const step = steps.pop() as Step;
      try {
        await Promise.race([
          Promise.resolve().then(step.fn),
          new Promise((_, reject) => setTimeout(() => reject(new Error('took more than 20 s')), 20_000).unref()),
        ]);
      } catch (err) {
        console.error(`bench: cleanup of ${step.what} failed: ${(err as Error).message}`);
      }
    }
  })();
  return running;
}

/** Ctrl-C, SIGTERM and crashes clean up before the process exits. */
export function cleanupOnExit() {
  let signalled = false;
  const bail = (code: number, why: string) => {
    if (signalled) return;
    signalled = true;
    console.error(`\nbench: ${why}; cleaning up…`);
    void cleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail(130, 'interrupted'));
  process.once('SIGTERM', () => bail(143, 'terminated'));
  process.on('uncaughtException', (err) => {
    console.error(err);
    bail(1, 'uncaught exception');
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    bail(1, 'unhandled rejection');
  });
}
