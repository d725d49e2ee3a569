// Shared setup for tests that run the real agent against the fake control plane.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentSpec, RevisionRef } from '@drover/contracts';
import { agentConfig, type AgentConfig } from '../src/config';
import { startAgent, type AgentHandle } from '../src/runtime/agent';
import { createLogger } from '../src/logs/logger';
import { makeTar, type TarEntry } from './archives';
import { FakeControlPlane } from './fake-control-plane';

export const GROUP_ID = '0b7d3c4e-1111-4222-8333-444455556666';

export class Harness {
  readonly server = new FakeControlPlane();
  tmp = '';
  config!: AgentConfig;
  agent: AgentHandle | null = null;

  async setup(overrides: Record<string, unknown> = {}): Promise<void> {
    this.tmp = await mkdtemp(join(tmpdir(), 'drover-agent-'));
    await this.server.start();
    this.config = agentConfig({
      serverUrl: this.server.url,
      registrationToken: this.server.token,
      instanceName: 'web-1',
      tags: [{ key: 'env', value: 'test' }],
      rootDir: join(this.tmp, 'root'),
      logDir: join(this.tmp, 'log'),
      pollWaitSeconds: 1,
      heartbeatIntervalSeconds: 0.3,
      backoffBaseMs: 50,
      backoffCapMs: 400,
      unauthorizedBackoffMs: 1500,
      hookKillGraceMs: 500,
      outputGraceMs: 300,
      logToStderr: false,
      logLevel: 'debug',
      ...overrides,
    });
  }

  start(): AgentHandle {
    const logger = createLogger({
      logDir: this.config.logDir,
      level: 'debug',
      toStderr: !!process.env.DROVER_TEST_VERBOSE,
    });
    this.agent = startAgent(this.config, { logger });
    return this.agent;
  }

  async teardown(): Promise<void> {
    await this.agent?.stop();
    await this.server.close();
    await rm(this.tmp, { recursive: true, force: true });
  }

  /** Builds a tgz bundle with its files under one top-level directory, serves it and returns its reference. */
  async revision(revisionId: string, files: Record<string, string>, executables: string[] = []): Promise<RevisionRef> {
    const entries: TarEntry[] = Object.entries(files).map(([name, body]) => ({
      name: `bundle-${revisionId}/${name}`,
      body: body.replaceAll('<tmp>', this.tmp),
      mode: executables.includes(name) ? 0o755 : 0o644,
    }));
    const bytes = await makeTar(entries, { gzip: true });
    this.server.bundles.set(revisionId, bytes);
    return {
      revisionId,
      bundleType: 'tgz',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      downloadUrl: `/bundles/${revisionId}`,
      appspecFilename: 'appspec.yml',
    };
  }

  spec(
    deploymentId: string,
    revision: RevisionRef,
    previousRevision: RevisionRef | null,
    extra: Partial<DeploymentSpec> = {},
  ): DeploymentSpec {
    return {
      deploymentId,
      applicationName: 'shop',
      deploymentGroupId: GROUP_ID,
      deploymentGroupName: 'prod',
      deploymentCreator: 'user',
      deploymentType: 'IN_PLACE',
      revision,
      previousRevision,
      fileExistsBehavior: 'DISALLOW',
      ignoreApplicationStopFailures: false,
      environment: { GREETING: 'hello' },
      ...extra,
    };
  }
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const IN_PLACE_EVENTS = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
] as const;
