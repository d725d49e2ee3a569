// Runs an event's scripts in order and turns the first failure into CodeDeploy-style diagnostics.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { HookScript } from '@drover/appspec';
import type { AgentCompleteRequest, HookEventName } from '@drover/contracts';
import { runScript, type OutputStream, type RunScriptResult } from './run-script';

export interface HookOutput {
  agent(text: string): void;
  output(stream: OutputStream, line: string): Promise<void> | undefined;
  tail(): string;
}

export interface RunHooksOptions {
  event: HookEventName;
  scripts: HookScript[];
  /** The revision's extracted bundle root: scripts are found here and run with it as cwd. */
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  log: HookOutput;
  killGraceMs: number;
  outputGraceMs: number;
  signal?: AbortSignal;
}

type Result = AgentCompleteRequest;

export async function runHooks(options: RunHooksOptions): Promise<Result> {
  const { log } = options;
  for (const script of options.scripts) {
    const who = script.runas ? ` as ${script.runas}` : '';
    log.agent(`${options.event}: running ${script.location}${who} (timeout ${script.timeoutSeconds}s)`);
    const path = resolve(options.bundleDir, script.location);
    const back = relative(options.bundleDir, path);
    const fail = (errorCode: Result['diagnostics']['errorCode'], message: string): Result => {
      log.agent(message);
      return {
        status: 'Failed',
        diagnostics: { errorCode, scriptName: script.location, message, logTail: log.tail() },
      };
    };
    if (back.startsWith('..') || isAbsolute(back))
      return fail('ScriptMissing', `Script location ${script.location} is outside the bundle`);
    const info = await stat(path).catch(() => null);
    if (!info) return fail('ScriptMissing', `Script does not exist at specified location: ${script.location}`);
    if (!info.isFile())
      return fail('ScriptMissing', `Script at specified location: ${script.location} is not a regular file`);
    if ((info.mode & 0o111) === 0) {
      return fail(
        'ScriptNotExecutable',
        `Script at specified location: ${script.location} is not executable (mode ${(info.mode & 0o777).toString(8)}; chmod +x it in the bundle)`,
      );
    }
    const result = await runScript({
      scriptPath: path,
      cwd: options.bundleDir,
      env: options.env,
      runas: script.runas,
      sudo: script.sudo,
      timeoutMs: script.timeoutSeconds * 1000,
      killGraceMs: options.killGraceMs,
      outputGraceMs: options.outputGraceMs,
      onLine: (stream, line) => log.output(stream, line),
      signal: options.signal,
    });
    const failure = describe(result, script, who);
    if (result.outputsLeftOpen) {
      log.agent(
        `warning: a background process started by ${script.location} kept stdout/stderr open after the script exited (OutputsLeftOpen); ` +
          `output is no longer collected. Start background processes with: nohup cmd >/dev/null 2>&1 &`,
      );
    }
    if (failure) return fail(failure.code, failure.message);
    log.agent(`${script.location} succeeded in ${(result.durationMs / 1000).toFixed(1)}s`);
  }
  return {
    status: 'Succeeded',
    diagnostics: {
      errorCode: 'Success',
      message: `${options.scripts.length} script(s) succeeded`,
      logTail: log.tail(),
    },
  };
}

function describe(
  result: RunScriptResult,
  script: HookScript,
  who: string,
): { code: Result['diagnostics']['errorCode']; message: string } | null {
  const at = `Script at specified location: ${script.location}${who ? ` run${who}` : ''}`;
  const leftOpen = result.outputsLeftOpen ? '; a background process kept its stdout/stderr open (OutputsLeftOpen)' : '';
  switch (result.kind) {
    case 'spawnError': {
      const code = result.spawnError?.code;
      if (code === 'ENOENT')
        return {
          code: 'ScriptMissing',
          message: `${at} could not be started: ${code} (missing interpreter in the #! line?)`,
        };
      if (code === 'EACCES' || code === 'ENOEXEC') {
        return {
          code: 'ScriptNotExecutable',
          message: `${at} could not be executed: ${code}${code === 'ENOEXEC' ? ' (no #! line?)' : ''}`,
        };
      }
      return {
        code: 'UnknownError',
        message: `${at} could not be started: ${result.spawnError?.message ?? 'unknown error'}`,
      };
    }
    case 'timedOut':
      return {
        code: 'ScriptTimedOut',
        message: `${at} failed to complete in ${script.timeoutSeconds} seconds; its process group was killed${leftOpen}`,
      };
    case 'aborted':
      return { code: 'UnknownError', message: `${at} was stopped before it finished (the command was cancelled)` };
    case 'exited':
      if (result.exitCode === 0) return null;
      if (result.exitCode === null)
        return {
          code: 'ScriptFailed',
          message: `${at} was killed by signal ${result.exitSignal ?? 'unknown'}${leftOpen}`,
        };
      // su/sh report "permission denied" as 126 when runas cannot execute the file.
      if (result.exitCode === 126 && script.runas) {
        return {
          code: 'ScriptNotExecutable',
          message: `${at} could not be executed by ${script.runas} (exit code 126)`,
        };
      }
      return { code: 'ScriptFailed', message: `${at} failed with exit code ${result.exitCode}${leftOpen}` };
  }
}
