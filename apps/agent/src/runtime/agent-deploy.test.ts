// The real agent, in-process, against the fake control plane: whole deployments end to end on this host.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUP_ID, Harness, IN_PLACE_EVENTS, until } from '../../test-support/agent-harness';
import { itAsRoot } from '../../test-support/root-only';
import { AGENT_API_PREFIX } from '@drover/contracts';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.setup({ maxRevisions: 1 });
});
afterEach(async () => {
  await h.teardown();
});

const appspec = (version: string) => `version: 0.0
os: linux
files:
  - source: site
    destination: <tmp>/www
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
      timeout: 30
  BeforeInstall:
    - location: scripts/before.sh
      timeout: 60
  AfterInstall:
    - location: scripts/env.sh
      timeout: 20
    - location: scripts/version.sh
      timeout: 25
# ${version}
`;

function bundleFiles(version: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'appspec.yml': appspec(version),
    'site/index.html': version,
    'scripts/stop.sh': `#!/bin/sh\necho "stopping ${version}" >> <tmp>/stops.log\n`,
    'scripts/before.sh': '#!/bin/sh\necho "before in $(pwd)"\n',
    'scripts/env.sh':
      '#!/bin/sh\necho "$LIFECYCLE_EVENT $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID $GREETING"\n',
    'scripts/version.sh': `#!/bin/sh\necho version ${version} >&2\n`,
    ...extra,
  };
}
const EXEC = ['scripts/stop.sh', 'scripts/before.sh', 'scripts/env.sh', 'scripts/version.sh'];

async function runDeployment(deploymentId: string, spec: ReturnType<Harness['spec']>) {
  const commands = h.server.deploy(spec, [...IN_PLACE_EVENTS]);
  await until(
    () => commands.every((c) => h.server.record(c.commandId).completions.length > 0),
    20_000,
    `${deploymentId} to finish`,
  );
  return Object.fromEntries(commands.map((c) => [c.lifecycleEvent, h.server.record(c.commandId)]));
}

describe('agent deployments', () => {
  it('registers, runs a first in-place deployment event by event, then a second one that stops the first', async () => {
    const v1 = await h.revision('rev-v1', bundleFiles('v1', { 'site/only-in-v1.css': 'x' }), EXEC);
    h.start();
    const first = await runDeployment('d-FIRST0001', h.spec('d-FIRST0001', v1, null));

    for (const [event, r] of Object.entries(first)) {
      expect(r.completions, event).toHaveLength(1);
      expect(r.completions[0]?.status, `${event}: ${r.completions[0]?.diagnostics.message}`).toBe('Succeeded');
    }
    // What the agent told the server in its acks. Events with nothing to run are completed without an ack or a
    // log stream: their agent lines arrive as the completion's log tail.
    expect(first.DownloadBundle?.ack).toEqual({ isNoop: false, timeoutSeconds: 3600 });
    expect(first.BeforeInstall?.ack).toEqual({ isNoop: false, timeoutSeconds: 60 });
    expect(first.AfterInstall?.ack).toEqual({ isNoop: false, timeoutSeconds: 45 });
    expect(first.BeforeInstall?.completions[0]?.isNoop).toBeUndefined();
    for (const noop of [first.ApplicationStop, first.ApplicationStart]) {
      // ApplicationStop: nothing installed before; ApplicationStart: no scripts for it in the appspec.
      const event = noop?.command.lifecycleEvent;
      expect(noop?.ack, event).toBeUndefined();
      expect(noop?.logs.size, event).toBe(0);
      expect(noop?.completions[0], event).toMatchObject({ status: 'Succeeded', isNoop: true });
      expect(noop?.completions[0]?.diagnostics.logTail, event).toContain(
        `${event} started (attempt 1, nothing to run)`,
      );
    }
    // The spec is fetched once for the whole deployment.
    expect(h.server.count(`${AGENT_API_PREFIX}/deployments/d-FIRST0001/spec`)).toBe(1);
    // Files, hook cwd, environment and live logs.
    expect(await readFile(join(h.tmp, 'www/index.html'), 'utf8')).toBe('v1');
    const bundleDir = join(h.config.rootDir, 'groups', GROUP_ID, 'revisions', 'rev-v1', 'archive');
    expect(h.server.logText(first.BeforeInstall?.command.commandId ?? '')).toContain(`[stdout]before in ${bundleDir}`);
    const afterInstall = h.server.logText(first.AfterInstall?.command.commandId ?? '');
    expect(afterInstall).toContain(`[stdout]AfterInstall d-FIRST0001 shop prod ${GROUP_ID} hello`);
    expect(afterInstall).toContain('[stderr]version v1');
    expect(first.AfterInstall?.completions[0]?.diagnostics.logTail).toContain('[stderr]version v1');
    // The next command came back with each completion: one poll started the whole deployment.
    expect(h.server.count(`${AGENT_API_PREFIX}/poll`)).toBeLessThanOrEqual(2);
    expect((await stat(join(h.config.rootDir, 'credential.json'))).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(join(h.config.rootDir, 'groups', GROUP_ID, 'state.json'), 'utf8'));
    expect(state.lastSuccessful).toMatchObject({ revisionId: 'rev-v1', deploymentId: 'd-FIRST0001' });
    expect(state.cleanup).toContain(`${h.tmp}/www/only-in-v1.css`);
    const local = await readFile(join(h.config.logDir, 'deployments', 'd-FIRST0001', 'AfterInstall.log'), 'utf8');
    expect(local).toContain('[stdout]AfterInstall d-FIRST0001');

    // Second deployment. v1's files are gone from disk, so ApplicationStop has to fetch v1 again.
    await rm(join(h.config.rootDir, 'groups', GROUP_ID, 'revisions', 'rev-v1'), { recursive: true });
    const v2 = await h.revision('rev-v2', bundleFiles('v2'), EXEC);
    const second = await runDeployment('d-SECOND002', h.spec('d-SECOND002', v2, v1));
    for (const [event, r] of Object.entries(second)) expect(r.completions[0]?.status, event).toBe('Succeeded');
    expect(second.ApplicationStop?.ack).toEqual({ isNoop: false, timeoutSeconds: 7200 }); // not on disk: unknown yet
    expect(await readFile(join(h.tmp, 'stops.log'), 'utf8')).toBe('stopping v1\n');
    expect(h.server.logText(second.ApplicationStop?.command.commandId ?? '')).toMatch(
      /from revision rev-v1 \(the last successful install\)/,
    );
    expect(await readFile(join(h.tmp, 'www/index.html'), 'utf8')).toBe('v2');
    expect(await readdir(join(h.tmp, 'www'))).toEqual(['index.html']); // v1's extra file cleaned up
    // maxRevisions 1: v2 is kept; v1 was protected until v2's Install succeeded and goes at the next download.
    const revisions = await readdir(join(h.config.rootDir, 'groups', GROUP_ID, 'revisions'));
    expect(revisions.sort()).toEqual(['rev-v1', 'rev-v2']);
    const v3 = await h.revision('rev-v3', bundleFiles('v3'), EXEC);
    await runDeployment('d-THIRD0003', h.spec('d-THIRD0003', v3, v2));
    expect((await readdir(join(h.config.rootDir, 'groups', GROUP_ID, 'revisions'))).sort()).toEqual([
      'rev-v2',
      'rev-v3',
    ]);
    expect(await readFile(join(h.tmp, 'stops.log'), 'utf8')).toBe('stopping v1\nstopping v2\n');

    expect(h.server.violations).toEqual([]);
    expect(await readdir(join(h.config.rootDir, 'journal'))).toEqual([]);
  }, 60_000);

  it('fails DownloadBundle on a sha256 mismatch without extracting or running anything', async () => {
    const v1 = await h.revision('rev-bad', bundleFiles('v1'), EXEC);
    h.start();
    const commands = h.server.deploy(h.spec('d-BADSHA001', { ...v1, sha256: '0'.repeat(64) }, null), [
      'DownloadBundle',
      'BeforeInstall',
    ]);
    const download = h.server.record(commands[0]?.commandId ?? '');
    await until(() => download.completions.length > 0, 15_000, 'DownloadBundle completion');
    expect(download.completions[0]).toMatchObject({ status: 'Failed', diagnostics: { errorCode: 'UnknownError' } });
    expect(download.completions[0]?.diagnostics.message).toMatch(
      /sha256 mismatch: expected 0{64}.*rejected before extraction/,
    );
    expect(await readdir(join(h.config.rootDir, 'groups', GROUP_ID, 'revisions', 'rev-bad'))).toEqual([]);
    expect(h.server.record(commands[1]?.commandId ?? '').ack).toBeUndefined();
  }, 30_000);

  itAsRoot(
    'runs runas hooks from the real on-disk layout as another user',
    async () => {
      const { chmod } = await import('node:fs/promises');
      await chmod(h.tmp, 0o755); // mkdtemp makes it 0700; a real rootDir sits under /var/lib
      const rev = await h.revision(
        'rev-runas',
        {
          'appspec.yml':
            'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/who.sh\n      runas: nobody\n',
          'scripts/who.sh': '#!/bin/sh\necho "$(id -un) in $(pwd)"\n',
        },
        ['scripts/who.sh'],
      );
      h.start();
      const [, start] = h.server.deploy(h.spec('d-RUNAS0001', rev, null), ['DownloadBundle', 'ApplicationStart']);
      const r = h.server.record(start?.commandId ?? '');
      await until(() => r.completions.length > 0, 15_000, 'ApplicationStart');
      expect(r.completions[0]?.status, r.completions[0]?.diagnostics.message).toBe('Succeeded');
      const bundleDir = join(h.config.rootDir, 'groups', GROUP_ID, 'revisions', 'rev-runas', 'archive');
      expect(h.server.logText(start?.commandId ?? '')).toContain(`[stdout]nobody in ${bundleDir}`);
      expect((await stat(join(h.config.rootDir, 'credential.json'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(h.config.rootDir, 'journal'))).mode & 0o777).toBe(0o700);
    },
    30_000,
  );

  it('fails the event when the deployment spec cannot be fetched', async () => {
    const v1 = await h.revision('rev-1', bundleFiles('v1'), EXEC);
    const [cmd] = h.server.deploy(h.spec('d-NOSPEC001', v1, null), ['DownloadBundle']);
    h.server.specs.delete('d-NOSPEC001');
    h.start();
    const r = h.server.record(cmd?.commandId ?? '');
    await until(() => r.completions.length > 0, 15_000, 'completion');
    expect(r.completions[0]).toMatchObject({ status: 'Failed', diagnostics: { errorCode: 'UnknownError' } });
    expect(r.completions[0]?.diagnostics.message).toBe('get deployment spec: HTTP 404 NotFound: no such deployment');
  }, 30_000);

  it('fails DownloadBundle with file, line and field when the appspec is invalid', async () => {
    const broken = bundleFiles('v1', {
      'appspec.yml':
        'version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/before.sh\n      timeout: 0\n',
    });
    const v1 = await h.revision('rev-broken', broken, EXEC);
    h.start();
    const [download] = h.server.deploy(h.spec('d-BROKEN001', v1, null), ['DownloadBundle']);
    const r = h.server.record(download?.commandId ?? '');
    await until(() => r.completions.length > 0, 15_000, 'completion');
    expect(r.completions[0]?.status).toBe('Failed');
    expect(r.completions[0]?.diagnostics.message).toBe(
      'appspec.yml:6 hooks.BeforeInstall[0].timeout: must be a whole number of seconds above 0 (at most 3600)',
    );
  }, 30_000);
});
