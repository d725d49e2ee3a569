// Self-upgrade: handed an upgrade on an idle poll, the agent downloads the server's build of its own kind (the .mjs
// bundle, or its platform's executable), checks size and sha256, checks that the new build starts and reports the
// promised version, keeps the current file beside it as <file>.previous and renames the new one over it. Then it
// restarts (restart.ts). Anything that goes wrong is reported to the server and the agent goes on as it was.
import { execFile } from 'node:child_process';
import { chmod, copyFile, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { AgentArtefact, AgentUpgradeOrder } from '@drover/contracts';
import { saveVerified } from '../archive/download';
import type { AgentContext } from './context';

const run = promisify(execFile);
/** The largest agent build taken (the executables are about 100 MB). */
const MAX_BUILD_BYTES = 400 * 1024 * 1024;

export interface RunningBuild {
  kind: 'bundle' | 'executable';
  /** The file this agent runs from, links resolved: what the upgrade replaces. */
  path: string;
  platform: AgentArtefact['platform'];
}

/** What this process runs from, or why it cannot upgrade itself. */
export async function runningBuild(): Promise<RunningBuild | string> {
  const sea = await import('node:sea').then((m) => m.isSea()).catch(() => false);
  if (sea) {
    const platform = `${process.platform}-${process.arch}`;
    if (platform !== 'linux-x64' && platform !== 'linux-arm64') return `no agent builds exist for ${platform}`;
    return { kind: 'executable', path: await realpath(process.execPath), platform };
  }
  const script = process.argv[1] ?? '';
  if (script.endsWith('.mjs')) return { kind: 'bundle', path: await realpath(script), platform: 'node' };
  return `this agent runs from ${script || 'an unknown file'}, not from a build; upgrade it where it was built`;
}

class UpgradeError extends Error {}

/** Carries out the order; resolves with the build to restart into, or null (the failure has been reported). */
export async function selfUpgrade(ctx: AgentContext, order: AgentUpgradeOrder): Promise<RunningBuild | null> {
  const { logger } = ctx;
  logger.info(`upgrading the agent to ${order.version}`, { upgradeId: order.upgradeId });
  try {
    const build = await runningBuild();
    if (typeof build === 'string') throw new UpgradeError(build);
    const artefact = order.artefacts.find((a) => a.platform === build.platform);
    if (!artefact) {
      throw new UpgradeError(
        `the server offers no ${build.platform} build (it has ${order.artefacts.map((a) => a.file).join(', ') || 'none'})`,
      );
    }
    // Same directory (the rename is atomic), same extension (node runs a .mjs bundle as a module).
    const staged = join(dirname(build.path), `.upgrade-${process.pid}-${basename(build.path)}`);
    await unlink(staged).catch(() => undefined);
    try {
      const body = await ctx.api.download(artefact.url, ctx.stopSignal);
      await saveVerified(body, staged, { sha256: artefact.sha256, size: artefact.size, maxBytes: MAX_BUILD_BYTES });
    } catch (err) {
      throw new UpgradeError(`downloading ${artefact.file} failed: ${(err as Error).message}`);
    }
    await chmod(staged, 0o755);
    try {
      const [cmd, args] = build.kind === 'bundle' ? [process.execPath, [staged, 'version']] : [staged, ['version']];
      const { stdout } = await run(cmd, args, { timeout: 60_000 });
      if (stdout.trim() !== order.version) {
        throw new UpgradeError(`the downloaded build reports version ${stdout.trim()}, not ${order.version}`);
      }
    } catch (err) {
      await unlink(staged).catch(() => undefined);
      if (err instanceof UpgradeError) throw err;
      const stderr = (err as { stderr?: string }).stderr?.trim().split('\n').filter(Boolean).at(-1);
      throw new UpgradeError(`the downloaded build does not start: ${stderr ?? (err as Error).message}`);
    }
    // The old build stays beside the new one, for going back by hand (mv <file>.previous <file>).
    await copyFile(build.path, `${build.path}.previous`);
    await rename(staged, build.path);
    logger.info(`agent ${order.version} installed at ${build.path}; restarting`, { upgradeId: order.upgradeId });
    return build;
  } catch (err) {
    const message = err instanceof UpgradeError ? err.message : `unexpected: ${(err as Error).message}`;
    logger.error(`agent upgrade to ${order.version} failed: ${message}`, { upgradeId: order.upgradeId });
    await ctx
      .retry(
        'report upgrade failure',
        () => ctx.api.reportUpgradeFailure(order.upgradeId, { message }, ctx.stopSignal),
        {
          maxAttempts: 5,
        },
      )
      .catch((e: Error) => logger.warn(`could not report the upgrade failure: ${e.message}`));
    return null;
  }
}
