// The appspec corpus (@drover/appspec/test-support) at the agent's call site: each file as the appspec of a bundle
// the revision store downloads, extracts and checks. Files CodeDeploy's agent runs are fetched and give the hooks the
// manifest lists; the others fail the download with the line and field the upload check and `drover push` give.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppSpecError } from '@drover/appspec';
import { APPSPEC_CORPUS, corpusText } from '@drover/appspec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveLimits } from '../config';
import { makeTar } from '../../test-support/archives';
import { RevisionStore } from './revision-store';

const GROUP = '11111111-2222-4333-8444-555555555555';
let root: string;
let store: RevisionStore;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'drover-rev-corpus-'));
  store = new RevisionStore(root, ArchiveLimits.parse({}));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the agent on the appspec corpus', () => {
  it.each(APPSPEC_CORPUS.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const bundle = await makeTar([{ name: 'appspec.yml', body: corpusText(c) }], { gzip: true });
    const revisionId = `rev-${i}`;
    const fetched = store
      .fetch(
        GROUP,
        {
          revisionId,
          bundleType: 'tgz',
          sha256: createHash('sha256').update(bundle).digest('hex'),
          size: bundle.length,
          downloadUrl: `/bundles/${revisionId}`,
          appspecFilename: 'appspec.yml',
        },
        'd-CORPUS001',
        async () => Readable.from([bundle]),
        () => undefined,
      )
      .catch((err: unknown) => err);
    const result = await fetched;
    if ('refused' in c.expected) {
      expect(result).toBeInstanceOf(AppSpecError);
      expect(result).toMatchObject({ line: c.expected.refused.line, field: c.expected.refused.field });
      expect((result as AppSpecError).detail).toContain(c.expected.refused.message);
      return;
    }
    if (result instanceof Error) throw result;
    const spec = await store.appSpec(GROUP, result as Awaited<ReturnType<RevisionStore['fetch']>>);
    expect(Object.keys(spec.hooks)).toEqual(c.expected.runs);
    if (c.expected.files) expect(spec.files).toEqual(c.expected.files);
  });
});
