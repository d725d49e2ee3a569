// The appspec corpus (test-support/corpus) through the parser itself: CodeDeploy's agent's answer for every file,
// warnings with their lines, and refusals at the line of the mistake.
import { APPSPEC_CORPUS, corpusNames, corpusText, type CorpusCase } from '@drover/appspec/test-support';
import { describe, expect, it } from 'vitest';
import { AppSpecError, parseAppSpec, parseAppSpecWithWarnings } from './index';

function outcome(c: CorpusCase) {
  try {
    return parseAppSpecWithWarnings(corpusText(c), 'appspec.yml');
  } catch (err) {
    if (err instanceof AppSpecError) return err;
    throw err;
  }
}

describe('the appspec corpus', () => {
  it('has a manifest entry for every file, at least 60 of them, on every platform', () => {
    expect(APPSPEC_CORPUS.map((c) => c.name).sort()).toEqual(corpusNames());
    expect(APPSPEC_CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(APPSPEC_CORPUS.map((c) => c.platform))).toEqual(new Set(['linux', 'windows', 'ecs', 'lambda']));
    expect(APPSPEC_CORPUS.some((c) => corpusText(c).includes('\r\n'))).toBe(true);
  });

  it.each(APPSPEC_CORPUS.map((c) => [c.name, c] as const))('%s', (_file, c) => {
    const result = outcome(c);
    if ('refused' in c.expected) {
      expect(result, 'refused').toBeInstanceOf(AppSpecError);
      const err = result as AppSpecError;
      expect({ line: err.line, field: err.field }).toEqual({
        line: c.expected.refused.line,
        field: c.expected.refused.field,
      });
      expect(err.detail).toContain(c.expected.refused.message);
      expect(err.message).toBe(`appspec.yml:${err.line} ${err.field}: ${err.detail}`);
      expect(() => parseAppSpec(corpusText(c), 'appspec.yml')).toThrow(AppSpecError);
      return;
    }
    if (result instanceof AppSpecError) throw new Error(`refused: ${result.message}`);
    const { warnings, runs, files } = c.expected;
    expect(result.warnings.map((w) => ({ line: w.line, field: w.field }))).toEqual(
      warnings.map((w) => ({ line: w.line, field: w.field })),
    );
    result.warnings.forEach((w, i) => expect(w.message).toContain(warnings[i]?.message));
    expect(Object.keys(result.spec.hooks)).toEqual(runs);
    if (files) expect(result.spec.files).toEqual(files);
    expect(parseAppSpec(corpusText(c), 'appspec.yml')).toEqual(result.spec);
  });
});
