import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAppSpec, scriptsFor } from './index';

const SAMPLE = join(import.meta.dirname, '../../../tests/fixtures/bundles/sample-app');

describe('tests/fixtures/bundles/sample-app', () => {
  it('has a valid appspec whose scripts exist and are executable', async () => {
    const spec = parseAppSpec(await readFile(join(SAMPLE, 'appspec.yml'), 'utf8'), 'appspec.yml');
    const scripts = (
      ['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService'] as const
    ).flatMap((e) => scriptsFor(spec, e));
    expect(scripts).toHaveLength(5);
    for (const script of scripts)
      expect((await stat(join(SAMPLE, script.location))).mode & 0o111, script.location).not.toBe(0);
  });
});
