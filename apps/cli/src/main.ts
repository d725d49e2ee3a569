// The `drover` entry point: parse, run, print errors as one or two lines on stderr, exit with the right code.
import { CommanderError } from 'commander';
import { describeError } from './errors';
import { line, processIo } from './io';
import { buildProgram } from './program';
import type { RunState } from './commands/shared';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const io = processIo(argv);
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    const report = describeError(err);
    // Commander has printed its own message already.
    if (!(err instanceof CommanderError))
      for (const l of report.lines) line(io.stderr, l.startsWith('error:') ? io.err.red(l) : io.err.dim(l));
    if (process.env.DROVER_DEBUG && err instanceof Error && !(err instanceof CommanderError))
      line(io.stderr, err.stack);
    return report.exitCode;
  }
}

/** Exits once stdout and stderr have taken everything written (pipes may be asynchronous). */
function exit(code: number) {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main().then(exit, (err: unknown) => {
  process.stderr.write(
    `drover: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  exit(1);
});
