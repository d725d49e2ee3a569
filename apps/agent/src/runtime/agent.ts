// startAgent: register (once), report whatever the journal says was left unfinished, then long-poll and run
// commands one at a time until stopped. Never busy-loops: every failure path sleeps with backoff.
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentUpgradeOrder, HostCommand } from '@drover/contracts';
import { sleep } from '../api/backoff';
import { ApiClient } from '../api/client';
import { CredentialStore } from '../api/credential-store';
import { StoppedError, withRetry } from '../api/retry';
import type { AgentConfig } from '../config';
import { createLogger, type Logger } from '../logs/logger';
import { pruneDeploymentLogs } from '../logs/prune-logs';
import { RevisionStore } from '../revisions/revision-store';
import { Journal } from '../state/journal';
import { StatusFile } from '../state/status-file';
import { AGENT_VERSION } from '../version';
import { failed } from './actions';
import type { AgentContext } from './context';
import { deliverResult } from './deliver';
import { executeCommand } from './execute-command';
import { Identity } from './identity';
import { selfUpgrade, type RunningBuild } from './self-upgrade';
import { SpecCache } from './spec-cache';

/** An empty poll answered faster than this is treated as a misbehaving server: wait before the next. */
const MIN_EMPTY_POLL_MS = 1000;

export interface AgentExit {
  /** Set when the agent stopped to be restarted as the upgraded build it installed. */
  restartInto: RunningBuild | null;
}

export interface AgentHandle {
  /** Stops polling, cancels a running command (its result is journalled) and resolves when all is quiet. */
  stop(): Promise<void>;
  /** Resolves when the agent has stopped; rejects if it could not start (unwritable root dir, say). */
  done: Promise<AgentExit>;
}

export function startAgent(config: AgentConfig, options: { logger?: Logger } = {}): AgentHandle {
  const stopper = new AbortController();
  const logger =
    options.logger ?? createLogger({ logDir: config.logDir, level: config.logLevel, toStderr: config.logToStderr });
  const done = run(config, logger, stopper.signal).finally(() => {
    logger.info('agent stopped');
    if (!options.logger) logger.close();
  });
  return {
    stop: async () => {
      stopper.abort();
      await done.catch(() => undefined);
    },
    done,
  };
}

async function run(config: AgentConfig, logger: Logger, stopSignal: AbortSignal): Promise<AgentExit> {
  // 0711: other users may traverse (runas hooks must reach their scripts under groups/) but not list;
  // the secrets inside (credential.json, journal/, state.json) have their own 0600/0700 modes.
  await mkdir(config.rootDir, { recursive: true, mode: 0o711 });
  await chmod(config.rootDir, 0o711);
  const journal = new Journal(join(config.rootDir, 'journal'));
  await journal.init();
  const credentials = new CredentialStore(config.rootDir);
  const api = new ApiClient({
    serverUrl: config.serverUrl,
    agentVersion: AGENT_VERSION,
    credential: () => credentials.current?.credential ?? null,
  });
  const identity = new Identity(config, credentials, api, logger, stopSignal);
  const status = new StatusFile(config.rootDir, { version: AGENT_VERSION, serverUrl: config.serverUrl }, (m) =>
    logger.warn(m),
  );
  const policy = { baseMs: config.backoffBaseMs, capMs: config.backoffCapMs };
  const ctx: AgentContext = {
    config,
    logger,
    api,
    journal,
    revisions: new RevisionStore(config.rootDir, config.limits),
    specs: new SpecCache(),
    stopSignal,
    retry: (what, fn, opts) =>
      withRetry(what, fn, {
        policy,
        logger,
        signal: stopSignal,
        onUnauthorized: (err) => identity.unauthorized(err),
        ...opts,
      }),
  };
  logger.info(`drover-agent ${AGENT_VERSION} starting`, {
    server: config.serverUrl,
    root: config.rootDir,
    pid: process.pid,
  });
  await status.update({});
  let restartInto: RunningBuild | null = null;
  try {
    await identity.ensure();
    let next = await recoverJournal(ctx);
    while (!stopSignal.aborted) {
      const answer = next ? { command: next, upgrade: null } : await poll(ctx, status);
      next = null;
      // An upgrade comes only on a poll with nothing to run, and nothing runs while it is carried out.
      if (answer.upgrade) {
        restartInto = await selfUpgrade(ctx, answer.upgrade);
        if (restartInto) break;
        continue;
      }
      const command = answer.command;
      if (!command) continue;
      void status.update({ currentCommand: currentCommandOf(command) });
      try {
        next = await executeCommand(ctx, command);
      } catch (err) {
        if (err instanceof StoppedError) break;
        logger.error(`command ${command.commandId} could not be handled: ${(err as Error).message}`);
        await sleep(config.backoffBaseMs, stopSignal);
      } finally {
        void status.update({ currentCommand: null });
      }
      await pruneDeploymentLogs(config.logDir).catch((err: Error) => logger.warn(`log pruning failed: ${err.message}`));
    }
  } catch (err) {
    if (!(err instanceof StoppedError)) throw err;
  } finally {
    await status.update({ currentCommand: null, stoppedAt: new Date().toISOString() });
  }
  return { restartInto };
}

function currentCommandOf(command: HostCommand) {
  return {
    commandId: command.commandId,
    deploymentId: command.deploymentId,
    lifecycleEvent: command.lifecycleEvent,
    applicationName: command.applicationName,
    deploymentGroupName: command.deploymentGroupName,
    startedAt: new Date().toISOString(),
  };
}

interface PollAnswer {
  command: HostCommand | null;
  upgrade: AgentUpgradeOrder | null;
}
const NOTHING: PollAnswer = { command: null, upgrade: null };

async function poll(ctx: AgentContext, status: StatusFile): Promise<PollAnswer> {
  const started = Date.now();
  try {
    const res = await ctx.retry('poll', () =>
      ctx.api.poll({ agentVersion: AGENT_VERSION, waitSeconds: ctx.config.pollWaitSeconds }, ctx.stopSignal).then(
        (answer) => {
          void status.update({ lastPollAt: new Date().toISOString(), lastPollError: null });
          return answer;
        },
        (err: Error) => {
          if (!ctx.stopSignal.aborted) {
            void status.update({ lastPollError: { at: new Date().toISOString(), message: err.message } });
          }
          throw err;
        },
      ),
    );
    if (res.upgrade) return { command: null, upgrade: res.upgrade };
    if (!res.command && Date.now() - started < MIN_EMPTY_POLL_MS) await sleep(MIN_EMPTY_POLL_MS, ctx.stopSignal);
    return { command: res.command, upgrade: null };
  } catch (err) {
    if (err instanceof StoppedError || ctx.stopSignal.aborted) return NOTHING;
    // A poll the API rejects outright (400 after an upgrade, say) must not turn into a tight loop.
    ctx.logger.error(`poll failed: ${(err as Error).message}`);
    await sleep(ctx.config.backoffCapMs, ctx.stopSignal);
    return NOTHING;
  }
}

/**
 * Journal entries left by the previous run: a finished result not yet delivered is delivered; a command that
 * was still running when the agent died is reported Failed, so the deployment does not wait for a timeout.
 */
async function recoverJournal(ctx: AgentContext): Promise<HostCommand | null> {
  const entries = await ctx.journal.list((file, reason) =>
    ctx.logger.warn(`ignoring unreadable journal file ${file}: ${reason}`),
  );
  let next: HostCommand | null = null;
  for (const entry of entries) {
    const result = entry.result ?? failed(`agent restarted during ${entry.command.lifecycleEvent}`);
    if (!entry.result) {
      ctx.logger.warn(`${entry.command.lifecycleEvent} was in progress when the agent stopped; reporting it failed`, {
        commandId: entry.command.commandId,
        deploymentId: entry.command.deploymentId,
      });
      await ctx.journal.write({ ...entry, result });
    }
    next = (await deliverResult(ctx, entry.command, result)) ?? next;
  }
  return next;
}
