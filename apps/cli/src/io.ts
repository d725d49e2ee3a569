// The terminal the CLI talks to: where results go (stdout), where progress and messages go (stderr), whether each is
// a terminal, and colours decided per stream (NO_COLOR, --no-color and FORCE_COLOR respected).
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Stream;
  stderr: Stream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Colours for text written to stdout / stderr. */
  out: Colors;
  err: Colors;
}

export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  if (env.NO_COLOR || argv.includes('--no-color')) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function processIo(argv: readonly string[]): Io {
  const { stdout, stderr, stdin, env } = process;
  return {
    stdout,
    stderr,
    stdin,
    env,
    out: pc.createColors(colorEnabled(stdout, env, argv)),
    err: pc.createColors(colorEnabled(stderr, env, argv)),
  };
}

export const line = (stream: Stream, text = '') => stream.write(`${text}\n`);
