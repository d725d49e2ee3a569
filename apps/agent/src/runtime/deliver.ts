// Getting a finished result to the API. Completion is idempotent server-side, so the agent simply retries until
// it is accepted; the journal keeps the result across restarts meanwhile.
import type { AgentCompleteRequest, HostCommand } from '@drover/contracts';
import { ApiError } from '../api/api-error';
import { StoppedError } from '../api/retry';
import type { AgentContext } from './context';

const LAST_TRY_MS = 5000;

export async function deliverResult(
  ctx: AgentContext,
  command: HostCommand,
  result: AgentCompleteRequest,
): Promise<HostCommand | null> {
  const { api, journal, logger } = ctx;
  const fields = { commandId: command.commandId, event: command.lifecycleEvent };
  try {
    const response = ctx.stopSignal.aborted
      ? // Stopping: one quick attempt; if it fails the journal delivers it on the next start.
        await api.complete(command.commandId, result, AbortSignal.timeout(LAST_TRY_MS))
      : await ctx.retry('complete', () => api.complete(command.commandId, result));
    await journal.remove(command.commandId);
    logger.info(`result delivered; the API recorded ${response.status}`, fields);
    return ctx.stopSignal.aborted ? null : response.next;
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'rejected') {
      // The API will never take it (unknown command, say): keeping it would block nothing but clutter forever.
      logger.error(`${err.message}; the result is dropped`, fields);
      await journal.remove(command.commandId);
      return null;
    }
    if (err instanceof StoppedError || ctx.stopSignal.aborted) {
      logger.warn('result not delivered before stopping; it stays in the journal for the next start', fields);
      return null;
    }
    throw err;
  }
}
