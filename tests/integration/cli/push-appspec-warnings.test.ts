// `drover push` (the real binary) with an appspec CodeDeploy would run but partly ignore: the warnings go to stderr
// with file, line and field, the push succeeds, and stdout stays the revision alone.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionInfo } from '@drover/contracts';
import { startTestApi, type TestApi } from '../../support/api';
import { bundleDir, cleanupCliTemp, cliBundle, runCli, tempDir } from './support';

let api: TestApi;
let url: string;
let home: string;

beforeAll(async () => {
  cliBundle();
  api = await startTestApi();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  home = tempDir('home');
  await api.app.inject({
    method: 'POST',
    url: '/v1/applications',
    headers: api.as('deployer'),
    payload: { applicationName: 'blog' },
  });
});
afterAll(async () => {
  await api.close();
  cleanupCliTemp();
});

const APPSPEC = `version: 0.0
os: linux
file:
  - source: index.html
    destination: /var/www/blog
    overwrite: true
hooks:
  ApplicationStart:
    - location: scripts/start.sh
`;

describe('drover push with appspec warnings', () => {
  it('prints them on stderr with file, line and field, and uploads', async () => {
    const dir = bundleDir(APPSPEC, ['scripts/start.sh']);
    const r = await runCli(['push', dir, '--app', 'blog', '--output', 'json'], home, {
      env: { DROVER_URL: url, DROVER_TOKEN: api.tokens.deployer },
    });
    expect(r.code, r.stderr).toBe(0);
    const appspec = path.join(dir, 'appspec.yml');
    expect(r.stderr).toContain(`warning: ${appspec}:3 file: not an appspec key`);
    expect(r.stderr).toContain('did you mean "files"?');
    const revision = RevisionInfo.parse(JSON.parse(r.stdout));
    expect(revision.applicationName).toBe('blog');
  });
});
