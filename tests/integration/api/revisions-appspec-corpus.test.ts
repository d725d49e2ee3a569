// The appspec corpus (@drover/appspec/test-support) through the real upload route, as a zip and as a tgz: files
// CodeDeploy's agent runs are stored (201) with their warnings in `appspecWarnings`; the others are 400
// InvalidRevision naming file, line and field, exactly as `drover push` and the agent report them.
import { APPSPEC_CORPUS, corpusText, type CorpusCase } from '@drover/appspec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { tgz, zip } from './support/bundles';
import { bind } from './support/http';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  await bind(api, 'deployer').post('/v1/applications', { applicationName: 'corpus' });
});
afterAll(async () => {
  await api.close();
});

async function upload(body: Buffer, bundleType: 'zip' | 'tgz') {
  const res = await api.app.inject({
    method: 'POST',
    url: `/v1/applications/corpus/revisions?bundleType=${bundleType}`,
    headers: { ...api.as('deployer'), 'content-type': 'application/octet-stream' },
    payload: body,
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

const cases = APPSPEC_CORPUS.flatMap((c) => [['zip', c.name, c] as const, ['tgz', c.name, c] as const]);

describe('uploading the appspec corpus', () => {
  it.each(cases)('%s %s', async (format, _name, c: CorpusCase) => {
    // Inside a top-level directory for tgz, so the located path (and the file named in answers) differs too.
    const file = format === 'zip' ? 'appspec.yml' : 'app/appspec.yml';
    const scripts = { [file.replace('appspec.yml', 'scripts/start.sh')]: `#!/bin/sh\n# ${c.name}\n` };
    const body =
      format === 'zip' ? zip({ [file]: corpusText(c), ...scripts }) : tgz({ [file]: corpusText(c), ...scripts });
    const res = await upload(body, format);
    if ('refused' in c.expected) {
      const { line, field, message } = c.expected.refused;
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const error = res.body.error as { code: string; message: string; details: Record<string, unknown> };
      expect(error.code).toBe('InvalidRevision');
      expect(error.details).toMatchObject({ file, line, field });
      expect(error.details.detail).toEqual(expect.stringContaining(message));
      expect(error.message.startsWith(`${file}:${line} ${field}: `)).toBe(true);
      return;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const warnings = res.body.appspecWarnings as Array<{ line: number; field: string; message: string }>;
    expect(warnings.map((w) => [w.line, w.field])).toEqual(c.expected.warnings.map((w) => [w.line, w.field]));
    c.expected.warnings.forEach((w, i) => expect(warnings[i]?.message).toContain(w.message));
  });

  it('gives the warnings again when the same bytes are uploaded again (200)', async () => {
    const c = APPSPEC_CORPUS.find((x) => x.name === 'warn-files-overwrite');
    if (!c) throw new Error('corpus case missing');
    const body = zip({ 'appspec.yml': corpusText(c), 'again.txt': 'x' });
    expect((await upload(body, 'zip')).status).toBe(201);
    const again = await upload(body, 'zip');
    expect(again.status).toBe(200);
    expect(again.body.appspecWarnings).toEqual([
      { line: 6, field: 'files[0].overwrite', message: expect.stringContaining('no per-file overwrite') as string },
    ]);
    const listed = await bind(api, 'viewer').get('/v1/applications/corpus/revisions?limit=1');
    expect((listed.body.items as Array<Record<string, unknown>>)[0]).not.toHaveProperty('appspecWarnings');
  });
});
