// The appspec corpus (@drover/appspec/test-support) through `drover push`'s local check: each file as the
// appspec.yml of a directory. Accepted files pass with the parser's warnings (file:line field: message, as push
// prints them on stderr); refused ones stop the push with the same line and field the upload and the agent give.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APPSPEC_CORPUS, corpusText } from '@drover/appspec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../errors';
import { checkBundleDir } from './appspec';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'drover-cli-corpus-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('checkBundleDir on the appspec corpus', () => {
  it.each(APPSPEC_CORPUS.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const dir = path.join(tmp, name);
    await mkdir(dir);
    await writeFile(path.join(dir, 'appspec.yml'), corpusText(c));
    const appspecPath = path.join(dir, 'appspec.yml');
    const checked = await checkBundleDir(dir).catch((err: unknown) => err);
    if ('refused' in c.expected) {
      const { line, field, message } = c.expected.refused;
      expect(checked).toBeInstanceOf(CliError);
      expect((checked as CliError).message).toMatch(
        new RegExp(`^invalid appspec: ${escape(`${appspecPath}:${line} ${field}: `)}`),
      );
      expect((checked as CliError).message).toContain(message);
      return;
    }
    if (checked instanceof Error) throw checked;
    const { appspecWarnings, warnings } = checked as Awaited<ReturnType<typeof checkBundleDir>>;
    expect(appspecWarnings.map((w) => [w.line, w.field])).toEqual(c.expected.warnings.map((w) => [w.line, w.field]));
    c.expected.warnings.forEach((w, i) => {
      expect(warnings[i]).toContain(`${appspecPath}:${w.line} ${w.field}: `);
      expect(warnings[i]).toContain(w.message);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
