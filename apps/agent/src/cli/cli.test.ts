// `drover-agent register` and `status` against the fake control plane: the files register writes and keeps, and
// what status reads from a running agent (registered as what, server reachable, last poll, current command).
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Harness, until } from '../../test-support/agent-harness';
import { registerCommand, type CliIo } from './register';
import { collectStatus, formatStatus } from './status';
import { UsageError } from './usage';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.setup();
});
afterEach(async () => {
  await h.teardown();
});

function io(): CliIo & { text: () => string } {
  let text = '';
  return { out: (t) => (text += t), err: (t) => (text += t), text: () => text };
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('drover-agent register', () => {
  it('writes the config and credential (0600), keeps the credential when run again, --force registers anew', async () => {
    const config = join(h.tmp, 'etc', 'agent.yml');
    const root = join(h.tmp, 'state');
    const args = ['--server', h.server.url, '--config', config, '--root', root, '--name', 'web-7', '--tag', 'env=test'];
    const first = io();
    expect(await registerCommand([...args, '--token', h.server.token], first)).toBe(0);
    expect(first.text()).toMatch(/^registered as web-7 \([0-9a-f-]{36}\) with http:\/\/127\.0\.0\.1:\d+\n/);
    expect(await mode(config)).toBe(0o600);
    expect(await mode(join(root, 'credential.json'))).toBe(0o600);
    const written = parseYaml(await readFile(config, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({ serverUrl: h.server.url, instanceName: 'web-7', tags: { env: 'test' }, rootDir: root });
    const credential = await readFile(join(root, 'credential.json'), 'utf8');

    // Again, without a token (an installer's upgrade): the credential stays, the config keeps the operator's settings.
    await writeFile(config, `${await readFile(config, 'utf8')}maxRevisions: 3\n`);
    const again = io();
    expect(await registerCommand(['--config', config], again)).toBe(0);
    expect(again.text()).toContain('already registered as web-7');
    expect(await readFile(join(root, 'credential.json'), 'utf8')).toBe(credential);
    expect(parseYaml(await readFile(config, 'utf8'))).toMatchObject({ maxRevisions: 3, rootDir: root });

    // Another server: refused unless --force.
    const other = io();
    expect(await registerCommand(['--config', config, '--server', 'http://127.0.0.1:9'], other)).toBe(1);
    expect(other.text()).toContain('run again with --force');

    const forced = io();
    expect(await registerCommand(['--config', config, '--force', '--token', h.server.token], forced)).toBe(0);
    expect(await readFile(join(root, 'credential.json'), 'utf8')).not.toBe(credential);
  });

  it('says what is wrong: no server, no token, a bad tag, a refused token', async () => {
    const config = join(h.tmp, 'agent.yml');
    await expect(registerCommand(['--config', config, '--token', 'x'], io())).rejects.toThrow(
      new UsageError('--server is required (the Drover URL, https://…)'),
    );
    await expect(registerCommand(['--config', config, '--server', h.server.url, '--name', 'a'], io())).rejects.toThrow(
      /--token is required/,
    );
    await expect(
      registerCommand(['--config', config, '--server', h.server.url, '--token', 'x', '--tag', '=v'], io()),
    ).rejects.toThrow(/--tag: "=v" has no key/);
    await expect(registerCommand(['--config', config, '--bogus'], io())).rejects.toThrow(/Unknown option '--bogus'/);
    const refused = io();
    const code = await registerCommand(
      ['--config', config, '--server', h.server.url, '--name', 'a', '--token', 'wrong', '--root', join(h.tmp, 'r')],
      refused,
    );
    expect(code).toBe(1);
    expect(refused.text()).toContain('registration failed: register: HTTP 401');
  });
});

describe('drover-agent status', () => {
  it('reports the registration, the server, the last poll and the command running now', async () => {
    const config = join(h.tmp, 'agent.yml');
    await writeFile(
      config,
      `serverUrl: ${h.server.url}\ninstanceName: web-1\nrootDir: ${h.config.rootDir}\nlogDir: ${h.config.logDir}\n`,
    );
    const before = await collectStatus(config);
    expect(before.registered).toBeNull();
    expect(before.agent.running).toBe(false);
    expect(formatStatus(before)).toMatch(/^registered: +no \(run drover-agent register\)$/m);

    h.start();
    const revision = await h.revision(
      'rev-1',
      {
        'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: slow.sh\n',
        'slow.sh': '#!/bin/sh\nsleep 3\n',
      },
      ['slow.sh'],
    );
    await until(async () => (await collectStatus(config)).agent.lastPollAt !== null, 10_000, 'a poll');
    const [download, start] = h.server.deploy(h.spec('d-STATUS001', revision, null), [
      'DownloadBundle',
      'ApplicationStart',
    ]);
    await until(
      async () => (await collectStatus(config)).agent.currentCommand?.lifecycleEvent === 'ApplicationStart',
      15_000,
      'ApplicationStart running',
    );
    const busy = await collectStatus(config);
    expect(busy.registered?.instanceName).toBe('web-1');
    expect(busy.server.reachable).toBe(true);
    expect(busy.agent).toMatchObject({ running: true, pid: process.pid });
    expect(busy.agent.currentCommand).toMatchObject({ deploymentId: 'd-STATUS001', applicationName: 'shop' });
    const text = formatStatus(busy);
    expect(text).toMatch(/^registered: +web-1 \(/m);
    expect(text).toMatch(/^running: +ApplicationStart of deployment d-STATUS001 \(shop\/prod\) since /m);
    expect(download?.commandId).toBeDefined();

    await until(() => h.server.record(start?.commandId ?? '').completions.length > 0, 15_000, 'ApplicationStart done');
    await until(async () => (await collectStatus(config)).agent.currentCommand === null, 5000, 'idle again');
    await h.agent?.stop();
    const stopped = await collectStatus(config);
    expect(stopped.agent.running).toBe(false);
    expect(formatStatus(stopped)).toMatch(/^agent: +not running \(last ran 0\.1\.0 from /m);
  });

  it('says the server is unreachable', async () => {
    const config = join(h.tmp, 'agent.yml');
    await writeFile(config, `serverUrl: http://127.0.0.1:9\ninstanceName: web-1\nrootDir: ${h.config.rootDir}\n`);
    const r = await collectStatus(config);
    expect(r.server).toMatchObject({ reachable: false });
    expect(formatStatus(r)).toMatch(/^server: +UNREACHABLE: http:\/\/127\.0\.0\.1:9\/healthz: .*ECONNREFUSED/m);
  });
});
