// Uploads through the CLI's node:http sender against a server with a small bundle limit: the server's early 413
// (from Content-Length, before the body is read) reaches the user as the API's error, not as a broken pipe.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RevisionInfo } from '@drover/contracts';
import { startTestApi, type TestApi } from '../../support/api';
import { VALID_APPSPEC, VALID_SCRIPTS, bundleDir, cleanupCliTemp, cliBundle, runCli, tempDir } from './support';

let api: TestApi;
let env: Record<string, string>;

beforeAll(async () => {
  cliBundle();
  api = await startTestApi({ MAX_BUNDLE_MB: '1' });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  env = { DROVER_URL: url, DROVER_TOKEN: api.tokens.deployer };
});

afterAll(async () => {
  await api.close();
  cleanupCliTemp();
});

it('uploads under the limit and reports PayloadTooLarge over it', async () => {
  const home = tempDir('home');
  expect((await runCli(['apps', 'create', 'big'], home, { env })).code).toBe(0);

  const small = bundleDir(VALID_APPSPEC, VALID_SCRIPTS);
  writeFileSync(path.join(small, 'data.bin'), randomBytes(512 * 1024));
  const ok = await runCli(['push', small, '--app', 'big', '-o', 'json'], home, { env });
  expect(ok.code, ok.stderr).toBe(0);
  expect(RevisionInfo.parse(JSON.parse(ok.stdout)).size).toBeGreaterThan(512 * 1024);

  const large = bundleDir(VALID_APPSPEC, VALID_SCRIPTS);
  writeFileSync(path.join(large, 'data.bin'), randomBytes(8 * 1024 * 1024));
  const tooLarge = await runCli(['push', large, '--app', 'big'], home, { env });
  expect(tooLarge.code).toBe(1);
  expect(tooLarge.stderr).toMatch(/error: .*\(PayloadTooLarge, HTTP 413\)/);
});
