// The shipped artefact: build dist/drover-agent.mjs with build.mjs, run it with plain Node against the fake
// control plane, deploy through it (tar-stream/yauzl must work bundled), and check its idle memory.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from './api/backoff';
import { makeZip } from '../test-support/archives';
import { Harness, until } from '../test-support/agent-harness';
import { AGENT_API_PREFIX } from '@drover/contracts';

const run = promisify(execFile);
let h: Harness;
let child: ChildProcess | null = null;

beforeEach(async () => {
  h = new Harness();
  await h.setup();
});
afterEach(async () => {
  child?.kill('SIGKILL');
  await h.teardown();
});

describe('bundled agent', () => {
  it('runs as one file, deploys, idles on long-polls and exits 2 on bad config', async () => {
    const outfile = join(h.tmp, 'drover-agent.mjs');
    await run(process.execPath, [join(import.meta.dirname, '..', 'build.mjs')], {
      env: { ...process.env, DROVER_AGENT_OUTFILE: outfile },
    });

    const bad = await run(process.execPath, [outfile], {
      env: { PATH: process.env.PATH, DROVER_SERVER_URL: 'http://x', DROVER_MAX_REVISIONS: 'zero' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'drover-agent: invalid configuration: DROVER_MAX_REVISIONS (maxRevisions): must be a number\n',
    });

    const c = h.config;
    // Executed the way it ships (bin / systemd): the file itself, so the shebang's memory flags apply.
    child = spawn(outfile, [], {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        DROVER_SERVER_URL: c.serverUrl,
        DROVER_REGISTRATION_TOKEN: c.registrationToken,
        DROVER_INSTANCE_NAME: 'bundled-1',
        DROVER_TAGS: 'env=test,role=web',
        DROVER_ROOT_DIR: c.rootDir,
        DROVER_LOG_DIR: c.logDir,
        DROVER_POLL_WAIT_SECONDS: '1',
      },
    });
    const zip = zipBundle();
    h.server.bundles.set('rev-zip', zip.bytes);
    const [cmd1, cmd2] = h.server.deploy(h.spec('d-BUNDLED01', zip.ref, null), ['DownloadBundle', 'ApplicationStart']);
    await until(() => h.server.record(cmd2?.commandId ?? '').completions.length > 0, 20_000, 'bundled deployment');
    expect(h.server.record(cmd1?.commandId ?? '').completions[0]?.status).toBe('Succeeded');
    expect(h.server.logText(cmd2?.commandId ?? '')).toContain('[stdout]hello from a zip');

    // A few idle long-polls: the process stays up and polling. (Its idle memory is a figure of the benchmarks,
    // `agent_rss_idle_mb` in bench/results.json, not a test assertion.)
    const polls = () =>
      h.server.requests.filter((r) => r.path === `${AGENT_API_PREFIX}/poll` && r.status === 200).length;
    const before = polls();
    await sleep(3000);
    expect(child.exitCode).toBeNull();
    expect(polls()).toBeGreaterThan(before);

    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child?.once('exit', resolve));
    expect(code).toBe(0);
  }, 60_000);
});

function zipBundle() {
  const bytes = makeZip([
    {
      name: 'appspec.yml',
      data: 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n',
      deflate: true,
    },
    { name: 'start.sh', data: '#!/bin/sh\necho hello from a zip\n', unixMode: 0o100755 },
  ]);
  const ref = {
    revisionId: 'rev-zip',
    bundleType: 'zip' as const,
    sha256: sha256(bytes),
    size: bytes.length,
    downloadUrl: '/bundles/rev-zip',
    appspecFilename: 'appspec.yml',
  };
  return { bytes, ref };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
