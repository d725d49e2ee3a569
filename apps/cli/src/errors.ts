// How failures reach the user: one line saying what went wrong and, where we know it, what to do next; and the exit
// code scripts branch on (0 succeeded, 1 failed, 2 the command line or configuration is wrong and nothing was sent).
import { DroverApiError, DroverNetworkError } from '@drover/client';
import { CommanderError } from 'commander';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A failure with a message meant for the user as is. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, opts: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.exitCode = opts.exitCode ?? EXIT_FAILED;
    this.hint = opts.hint;
  }
}

/** The command line or configuration is wrong: exit 2, nothing was sent to the server. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT_USAGE, ...(hint ? { hint } : {}) });
  }
}

/** What to do next, for API errors where we can tell. */
function apiHint(e: DroverApiError): string | undefined {
  if (e.status === 401) return 'run `drover login` or set DROVER_TOKEN to a valid API token';
  if (e.status === 403) return 'your token lacks the role for this; ask an admin, or log in with a role that has it';
  if (e.code === 'InvalidResponse') return 'update the CLI to match the server';
  if (e.status === 429) return 'wait a minute and try again';
  if (e.status === 413)
    return "the server's MAX_BUNDLE_MB limits bundles: leave out what hosts do not need, or raise it";
  if (e.status >= 500 && e.requestId) return `the server logs have the details under request id ${e.requestId}`;
  return undefined;
}

export interface Report {
  lines: string[];
  exitCode: number;
}

/** Turns anything thrown into the lines to print on stderr and the exit code. */
export function describeError(err: unknown): Report {
  if (err instanceof CliError) {
    return { lines: [`error: ${err.message}`, ...(err.hint ? [`hint: ${err.hint}`] : [])], exitCode: err.exitCode };
  }
  if (err instanceof DroverApiError) {
    const lines = [`error: ${err.message} (${err.code}, HTTP ${err.status})`];
    for (const issue of err.fieldIssues.slice(1)) lines.push(`  ${issue.field}: ${issue.reason}`);
    const hint = apiHint(err);
    if (hint) lines.push(`hint: ${hint}`);
    return { lines, exitCode: EXIT_FAILED };
  }
  if (err instanceof DroverNetworkError) {
    return {
      lines: [
        `error: ${err.message}`,
        'hint: check the URL (--url, DROVER_URL or `drover login`) and that the server is up',
      ],
      exitCode: EXIT_FAILED,
    };
  }
  if (err instanceof CommanderError) return { lines: [], exitCode: commanderExitCode(err) };
  const message = err instanceof Error ? err.message : String(err);
  return { lines: [`error: ${message}`], exitCode: EXIT_FAILED };
}

/** Help and version asked for: 0. Anything else commander refuses (unknown option, missing argument…): 2. */
export function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
  if (err.exitCode === 0) return EXIT_OK;
  return EXIT_USAGE;
}
