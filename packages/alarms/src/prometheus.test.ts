// Reading Prometheus' query answers and judging series: any series in condition is enough, an empty result is not in
// condition, NaN never meets a comparison, and every answer that gives no numbers becomes a reason in plain words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meets, parseSampleValue } from './compare';
import { judgeSeries, queryUrl, readQueryAnswer } from './prometheus';

const spec = { query: 'sum by (code) (rate(x[1m]))', comparison: '>' as const, threshold: 0.5 };
const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { __name__: 'x', code: String(500 + i) }, value: [1_764_000_000.1, v] })),
    },
  });

describe('readQueryAnswer', () => {
  it('reads vectors and scalars, NaN and infinities included', () => {
    expect(readQueryAnswer(200, vector('1', 'NaN', '+Inf', '-Inf'))).toEqual({
      ok: true,
      warnings: [],
      series: [
        { labels: { __name__: 'x', code: '500' }, value: 1 },
        { labels: { __name__: 'x', code: '501' }, value: NaN },
        { labels: { __name__: 'x', code: '502' }, value: Infinity },
        { labels: { __name__: 'x', code: '503' }, value: -Infinity },
      ],
    });
    expect(
      readQueryAnswer(200, JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2.5'] } })),
    ).toEqual({
      ok: true,
      warnings: [],
      series: [{ labels: {}, value: 2.5 }],
    });
  });

  it("gives Prometheus' own error text, and names range vectors, strings and non-JSON answers", () => {
    const bad = readQueryAnswer(
      400,
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' }),
    );
    expect(bad).toEqual({
      ok: false,
      reason: 'Prometheus refused the query (HTTP 400, bad_data): 1:5: parse error: unexpected end of input',
    });
    const matrix = readQueryAnswer(
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    );
    expect(matrix.ok === false && matrix.reason).toMatch(/range vector; an alarm needs an instant vector or a scalar/);
    const proxy = readQueryAnswer(502, '<html>Bad Gateway</html>');
    expect(proxy).toEqual({ ok: false, reason: "HTTP 502 and not Prometheus' JSON: <html>Bad Gateway</html>" });
    expect(readQueryAnswer(200, '{"status":"success"}').ok).toBe(false);
  });
});

describe('judgeSeries', () => {
  it('ALARM when any series meets the comparison, naming it, the value and the threshold', () => {
    const r = judgeSeries(spec, [
      { labels: { code: '200' }, value: 0.1 },
      { labels: { code: '500' }, value: 0.9 },
    ]);
    expect(r).toEqual({
      state: 'ALARM',
      detail: 'sum by (code) (rate(x[1m])): {code="500"} = 0.9 (1 of 2 series > 0.5)',
      value: 0.9,
    });
  });

  it('OK for an empty result and for NaN, saying why', () => {
    expect(judgeSeries(spec, [])).toEqual({
      state: 'OK',
      detail: 'sum by (code) (rate(x[1m])) returned no series (not in condition > 0.5)',
    });
    const nan = judgeSeries({ ...spec, comparison: '!=' }, [{ labels: {}, value: NaN }]);
    expect(nan.state).toBe('OK');
    expect(nan.detail).toContain('1 NaN, which never meets a comparison');
  });

  it('is in condition exactly when some non-NaN value meets the comparison', () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 8 }),
        fc.constantFrom('>', '>=', '<', '<=', '==', '!=' as const),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (values, comparison, threshold) => {
          const r = judgeSeries(
            { query: 'q', comparison, threshold },
            values.map((v) => ({ labels: {}, value: v })),
          );
          const expected = values.some((v) => !Number.isNaN(v) && meets(v, comparison, threshold));
          expect(r.state).toBe(expected ? 'ALARM' : 'OK');
        },
      ),
    );
  });
});

describe('compare', () => {
  it('parses sample values as Prometheus writes them', () => {
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(parseSampleValue('1e3')).toBe(1000);
    expect(parseSampleValue('abc')).toBeUndefined();
    expect(parseSampleValue('')).toBeUndefined();
  });
  it('NaN meets nothing, not even !=', () => {
    for (const c of ['>', '>=', '<', '<=', '==', '!='] as const) expect(meets(NaN, c, 1)).toBe(false);
    expect(meets(1, '!=', 2)).toBe(true);
    expect(meets(Infinity, '>', 1e308)).toBe(true);
  });
  it('builds the query url under a base with or without a path', () => {
    expect(queryUrl('http://p:9090')).toBe('http://p:9090/api/v1/query');
    expect(queryUrl('http://p:9090/prometheus/')).toBe('http://p:9090/prometheus/api/v1/query');
  });
});
