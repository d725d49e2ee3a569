// One command, start to finish: journal → spec (cached per deployment) → ack → run (with heartbeats and live logs)
// → journal the result → deliver it. Returns the next command when the API hands one back with the completion.
// An event with nothing to run (no scripts for it in the appspec) skips the ack and the log stream: its result,
// with its few agent lines as the log tail, is the only call, so such an event costs one round trip.
import type { AgentCompleteRequest, CommandStatus, HostCommand } from '@drover/contracts';
import { join } from 'node:path';
import { ApiError } from '../api/api-error';
import { StoppedError } from '../api/retry';
import { CommandLog } from '../logs/command-log';
import { safeId } from '../state/group-state';
import { failed, perform, planAck } from './actions';
import type { AgentContext } from './context';
import { deliverResult } from './deliver';

const TERMINAL: ReadonlySet<CommandStatus> = new Set(['Succeeded', 'Failed']);

export async function executeCommand(ctx: AgentContext, command: HostCommand): Promise<HostCommand | null> {
  const { logger, journal, api } = ctx;
  const fields = {
    commandId: command.commandId,
    deploymentId: command.deploymentId,
    event: command.lifecycleEvent,
    attempt: command.attempt,
  };
  logger.info('command received', fields);
  // Written before anything happens, so a crash at any later point is reported on the next start.
  const startedAt = new Date().toISOString();
  await journal.write({ command, startedAt });

  const abort = new AbortController();
  let serverStatus: CommandStatus | null = null;
  const onServerStatus = (status: CommandStatus) => {
    if (!TERMINAL.has(status) || serverStatus) return;
    serverStatus = status;
    logger.warn(`the API reports this command as ${status}; stopping it`, fields);
    abort.abort();
  };
  const onStop = () => abort.abort();
  ctx.stopSignal.addEventListener('abort', onStop, { once: true });

  let log: CommandLog | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let result: AgentCompleteRequest;
  let ack: { isNoop: boolean } | null = null;
  try {
    safeId(command.deploymentId, 'deployment id');
    safeId(command.deploymentGroupId, 'deployment group id');
    const spec = await ctx.specs.get(command.deploymentId, () =>
      ctx.retry('get deployment spec', () => api.spec(command.deploymentId, abort.signal)),
    );
    ack = await planAck(ctx, spec, command.lifecycleEvent);
    if (!ack.isNoop) {
      const plan = ack;
      const answer = await ctx
        .retry('ack', () => api.ack(command.commandId, plan, abort.signal))
        .catch((err: unknown) => {
          // 404 on ack: the API does not know this command (any more); there is nobody to report to.
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        });
      if (!answer) {
        logger.warn('the API does not know this command; dropping it', fields);
        await journal.remove(command.commandId);
        return null;
      }
      if (TERMINAL.has(answer.status)) {
        logger.info(`the API already considers this command ${answer.status}; skipping it`, fields);
        await journal.remove(command.commandId);
        return null;
      }
    }
    log = new CommandLog({
      localPath: join(ctx.config.logDir, 'deployments', command.deploymentId, `${command.lifecycleEvent}.log`),
      header: `===== ${new Date().toISOString()} ${command.lifecycleEvent} attempt ${command.attempt} command ${command.commandId} deployment ${command.deploymentId} =====`,
      // Nothing to run: the lines go to the local file and, as the log tail, with the result.
      send: ack.isNoop ? null : (chunk, signal) => api.logs(command.commandId, chunk, signal),
      onServerStatus,
    });
    heartbeat = setInterval(() => {
      api
        .heartbeat({ commandIds: [command.commandId], rssBytes: process.memoryUsage.rss() })
        .then((res) =>
          res.commands.filter((c) => c.commandId === command.commandId).forEach((c) => onServerStatus(c.status)),
        )
        .catch((err: Error) => logger.debug(`heartbeat failed: ${err.message}`));
    }, ctx.config.heartbeatIntervalSeconds * 1000);
    log.agent(`${command.lifecycleEvent} started (attempt ${command.attempt}${ack.isNoop ? ', nothing to run' : ''})`);
    result = await perform(ctx, spec, command.lifecycleEvent, log, abort.signal);
    if (result.status === 'Failed' && ctx.stopSignal.aborted) {
      // The failure is the stop's doing (the hook was killed): say so, as a restart report would.
      result = failed(`agent stopped during ${command.lifecycleEvent}`, log.tail(), result.diagnostics.scriptName);
    }
  } catch (err) {
    if (ctx.stopSignal.aborted || err instanceof StoppedError) {
      result = failed(`agent stopped during ${command.lifecycleEvent}`, log?.tail());
    } else if (serverStatus) {
      result = failed('cancelled by the API');
    } else {
      const message = (err as Error).message || String(err);
      log?.agent(`error: ${message}`);
      logger.error(`${command.lifecycleEvent} failed: ${message}`, fields);
      result = failed(message, log?.tail());
    }
  } finally {
    clearInterval(heartbeat);
    ctx.stopSignal.removeEventListener('abort', onStop);
  }
  if (log) {
    log.agent(
      `${command.lifecycleEvent} ${result.status}${result.diagnostics.message ? `: ${result.diagnostics.message}` : ''}`,
    );
    await log.close(ctx.stopSignal.aborted ? 2000 : 10_000);
    if (ack?.isNoop) {
      result = {
        ...result,
        isNoop: true,
        diagnostics: { ...result.diagnostics, logTail: result.diagnostics.logTail ?? log.tail() },
      };
    }
  }
  if (serverStatus) {
    await journal.remove(command.commandId);
    return null;
  }
  logger.info(`command finished: ${result.status}`, { ...fields, errorCode: result.diagnostics.errorCode });
  await journal.write({ command, startedAt, result });
  return deliverResult(ctx, command, result);
}
