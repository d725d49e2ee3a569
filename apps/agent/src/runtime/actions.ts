// What each lifecycle event does on the host. Returns the completion to report; throws only for unexpected
// failures (the caller reports those as UnknownError).
import { eventTimeoutSeconds, scriptsFor, type AppSpec } from '@drover/appspec';
import {
  HOOK_EVENT_NAMES,
  type AgentCompleteRequest,
  type DeploymentSpec,
  type HookEventName,
  type LifecycleEventName,
  type RevisionRef,
} from '@drover/contracts';
import { hookEnvironment } from '../hooks/hook-env';
import { runHooks } from '../hooks/run-hooks';
import { install } from '../install/installer';
import type { CommandLog } from '../logs/command-log';
import type { RevisionInfo } from '../revisions/revision-store';
import { readGroupState, writeGroupState } from '../state/group-state';
import type { AgentContext } from './context';

/** Events whose scripts come from the revision installed before this deployment (codedeploy.md §3.4). */
export const PREVIOUS_REVISION_EVENTS: ReadonlySet<LifecycleEventName> = new Set([
  'ApplicationStop',
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
]);
const HOOK_EVENTS: ReadonlySet<string> = new Set(HOOK_EVENT_NAMES);
/** Ack timeout for work whose length the agent cannot know yet (a download, then scripts). */
const UNKNOWN_WORK_SECONDS = 7200;

export type Completion = AgentCompleteRequest;

const succeeded = (message: string, logTail?: string): Completion => ({
  status: 'Succeeded',
  diagnostics: { errorCode: 'Success', message, ...(logTail ? { logTail } : {}) },
});
export const failed = (message: string, logTail?: string, scriptName?: string): Completion => ({
  status: 'Failed',
  diagnostics: {
    errorCode: 'UnknownError',
    message: message.slice(0, 8192),
    ...(logTail ? { logTail } : {}),
    ...(scriptName ? { scriptName } : {}),
  },
});

export function scriptSource(spec: DeploymentSpec, event: LifecycleEventName): RevisionRef | null {
  return PREVIOUS_REVISION_EVENTS.has(event) ? spec.previousRevision : spec.revision;
}

/** What the ack says, decided from what is already on disk (the ack must be quick). */
export async function planAck(
  ctx: AgentContext,
  spec: DeploymentSpec,
  event: LifecycleEventName,
): Promise<{ isNoop: boolean; timeoutSeconds: number }> {
  if (event === 'DownloadBundle' || event === 'Install' || !HOOK_EVENTS.has(event))
    return { isNoop: false, timeoutSeconds: 3600 };
  const source = scriptSource(spec, event);
  if (!source) return { isNoop: true, timeoutSeconds: 60 };
  const info = await ctx.revisions.ready(spec.deploymentGroupId, source);
  if (!info) return { isNoop: false, timeoutSeconds: UNKNOWN_WORK_SECONDS };
  const appspec = await ctx.revisions.appSpec(spec.deploymentGroupId, info).catch(() => null);
  if (!appspec) return { isNoop: false, timeoutSeconds: 60 }; // the parse error is reported by perform()
  const total = eventTimeoutSeconds(appspec, event as HookEventName);
  return total === 0
    ? { isNoop: true, timeoutSeconds: 60 }
    : { isNoop: false, timeoutSeconds: Math.min(total, 3600 * 13) };
}

/** The revision on disk, downloading it (verified, safely extracted) when it is not there. */
async function ensureRevision(
  ctx: AgentContext,
  spec: DeploymentSpec,
  ref: RevisionRef,
  log: CommandLog,
  signal: AbortSignal,
  force = false,
): Promise<RevisionInfo> {
  const group = spec.deploymentGroupId;
  const ready = force ? null : await ctx.revisions.ready(group, ref);
  if (ready) return ready;
  const info = await ctx.retry(
    'download bundle',
    () =>
      ctx.revisions.fetch(
        group,
        ref,
        spec.deploymentId,
        (url) => ctx.api.download(url, signal),
        (m) => log.agent(m),
        signal,
      ),
    { maxAttempts: 5 },
  );
  const state = await readGroupState(ctx.config.rootDir, group);
  if (ref === spec.revision) {
    const mostRecent = { revisionId: ref.revisionId, deploymentId: spec.deploymentId, at: new Date().toISOString() };
    await writeGroupState(ctx.config.rootDir, group, { ...state, mostRecent });
  }
  // Never prune what this deployment uses or the last good install (the next ApplicationStop needs it).
  const protect = new Set([spec.revision.revisionId, ref.revisionId]);
  if (spec.previousRevision) protect.add(spec.previousRevision.revisionId);
  if (state.lastSuccessful) protect.add(state.lastSuccessful.revisionId);
  const removed = await ctx.revisions.prune(group, ctx.config.maxRevisions, protect);
  if (removed.length > 0) log.agent(`removed old revisions: ${removed.join(', ')}`);
  return info;
}

export async function perform(
  ctx: AgentContext,
  spec: DeploymentSpec,
  event: LifecycleEventName,
  log: CommandLog,
  signal: AbortSignal,
): Promise<Completion> {
  if (event === 'DownloadBundle') {
    const info = await ensureRevision(ctx, spec, spec.revision, log, signal, true);
    return succeeded(`revision ${info.revisionId} downloaded, verified and extracted`, log.tail());
  }
  if (event === 'Install') return performInstall(ctx, spec, log, signal);
  if (!HOOK_EVENTS.has(event)) return failed(`${event} is not an event the agent runs`);

  const hookEvent = event as HookEventName;
  const source = scriptSource(spec, event);
  if (!source) return succeeded(`no revision was installed on this host before: no ${event} scripts to run`);
  const origin = source === spec.revision ? 'this deployment' : 'the last successful install';
  const info = await ensureRevision(ctx, spec, source, log, signal);
  const appspec = await ctx.revisions.appSpec(spec.deploymentGroupId, info);
  const scripts = scriptsFor(appspec, hookEvent);
  if (scripts.length === 0) return succeeded(`the appspec of revision ${info.revisionId} has no ${event} scripts`);
  log.agent(`${event}: ${scripts.length} script(s) from revision ${info.revisionId} (${origin})`);
  const result = await runHooks({
    event: hookEvent,
    scripts,
    bundleDir: ctx.revisions.bundleDir(spec.deploymentGroupId, info.revisionId),
    env: hookEnvironment(spec, hookEvent),
    log,
    killGraceMs: ctx.config.hookKillGraceMs,
    outputGraceMs: ctx.config.outputGraceMs,
    signal,
  });
  if (result.status === 'Failed' && event === 'ApplicationStop' && spec.ignoreApplicationStopFailures) {
    log.agent('ignoreApplicationStopFailures is set: the deployment continues despite this failure');
  }
  return result;
}

async function performInstall(
  ctx: AgentContext,
  spec: DeploymentSpec,
  log: CommandLog,
  signal: AbortSignal,
): Promise<Completion> {
  const group = spec.deploymentGroupId;
  const info = await ensureRevision(ctx, spec, spec.revision, log, signal);
  const appspec: AppSpec = await ctx.revisions.appSpec(group, info);
  const state = await readGroupState(ctx.config.rootDir, group);
  const result = await install({
    bundleDir: ctx.revisions.bundleDir(group, info.revisionId),
    appspec,
    fileExistsBehavior: spec.fileExistsBehavior,
    previousCleanup: state.cleanup,
    saveCleanup: async (cleanup) =>
      writeGroupState(ctx.config.rootDir, group, { ...(await readGroupState(ctx.config.rootDir, group)), cleanup }),
    log: (line) => log.agent(line),
  });
  const latest = await readGroupState(ctx.config.rootDir, group);
  await writeGroupState(ctx.config.rootDir, group, {
    ...latest,
    lastSuccessful: {
      revisionId: info.revisionId,
      deploymentId: spec.deploymentId,
      installedAt: new Date().toISOString(),
    },
  });
  return succeeded(
    `installed revision ${info.revisionId}: ${result.copied} file(s) copied, ${result.removed} removed, ${result.retained.length} retained`,
    log.tail(),
  );
}
