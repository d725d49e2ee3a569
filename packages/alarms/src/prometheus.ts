// A Prometheus alarm's raw evaluation: one instant query (POST <url>/api/v1/query), the answer read into numbers, and
// the comparison applied to every series. The alarm's condition is met when ANY series meets it; an empty result is
// not in condition (nothing to compare), and a NaN sample never meets a comparison (compare.ts). Anything that keeps
// the query from giving numbers — no connection, a timeout, a refused query, a range vector — is UNREACHABLE with
// Prometheus' own words where it gave some.
import type { PrometheusAlarmSpec, PrometheusAuthInput } from '@drover/contracts';
import { z } from 'zod';
import { formatValue, meets, parseSampleValue } from './compare';
import { readableError, type RawEvaluation } from './result';

const Sample = z.tuple([z.number(), z.string()]);
const QueryAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample })),
      }),
      z.object({ resultType: z.literal('scalar'), result: Sample }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string() }),
]);

export interface PrometheusSeries {
  labels: Record<string, string>;
  value: number;
}

export type PrometheusAnswer =
  { ok: true; series: PrometheusSeries[]; warnings: string[] } | { ok: false; reason: string };

/** Reads the body of a /api/v1/query answer (any HTTP status) into series or a reason. Pure. */
export function readQueryAnswer(httpStatus: number, body: string): PrometheusAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 300);
    return { ok: false, reason: `HTTP ${httpStatus} and not Prometheus' JSON${text ? `: ${text}` : ''}` };
  }
  const parsed = QueryAnswer.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `HTTP ${httpStatus} with an answer that is not a query result` };
  const a = parsed.data;
  if (a.status === 'error') {
    return {
      ok: false,
      reason: `Prometheus refused the query (HTTP ${httpStatus}, ${a.errorType ?? 'error'}): ${a.error}`,
    };
  }
  const d = a.data;
  const warnings = a.warnings ?? [];
  if (d.resultType === 'matrix' || d.resultType === 'string') {
    return {
      ok: false,
      reason: `the query gives a ${d.resultType === 'matrix' ? 'range vector' : 'string'}; an alarm needs an instant vector or a scalar (e.g. rate(x[5m]) rather than x[5m])`,
    };
  }
  const samples = d.resultType === 'scalar' ? [{ metric: {}, value: d.result }] : d.result;
  const series: PrometheusSeries[] = [];
  for (const s of samples) {
    const value = parseSampleValue(s.value[1]);
    if (value === undefined)
      return { ok: false, reason: `Prometheus gave a sample that is not a number: ${s.value[1]}` };
    series.push({ labels: s.metric, value });
  }
  return { ok: true, series, warnings };
}

const seriesName = (labels: Record<string, string>): string => {
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return `${name ?? ''}{${inner}}`;
};

/** The condition applied to the series. Pure. */
export function judgeSeries(
  spec: Pick<PrometheusAlarmSpec, 'query' | 'comparison' | 'threshold'>,
  series: PrometheusSeries[],
): { state: 'OK' | 'ALARM'; detail: string; value?: number } {
  const cond = `${spec.comparison} ${formatValue(spec.threshold)}`;
  if (series.length === 0) {
    return { state: 'OK', detail: `${spec.query} returned no series (not in condition ${cond})` };
  }
  const hits = series.filter((s) => meets(s.value, spec.comparison, spec.threshold));
  const shown = (list: PrometheusSeries[]) =>
    list
      .slice(0, 5)
      .map((s) => `${seriesName(s.labels)} = ${formatValue(s.value)}`)
      .join('; ') + (list.length > 5 ? `; and ${list.length - 5} more` : '');
  if (hits.length > 0) {
    return {
      state: 'ALARM',
      detail: `${spec.query}: ${shown(hits)} (${hits.length} of ${series.length} series ${cond})`,
      value: hits[0]!.value,
    };
  }
  const nan = series.filter((s) => Number.isNaN(s.value)).length;
  return {
    state: 'OK',
    detail:
      `${spec.query}: ${shown(series)} (none ${cond}` +
      (nan > 0 ? `; ${nan} NaN, which never meets a comparison)` : ')'),
    value: series[0]!.value,
  };
}

export interface EvaluateOptions {
  /** The clock (tests). */
  now?: () => Date;
}

function authHeader(auth: PrometheusAuthInput | null | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** The query endpoint under a base that may carry a path (http://host/prometheus). */
export function queryUrl(base: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v1/query`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** One instant query and its judgement: OK/ALARM from the numbers, UNREACHABLE with a readable reason otherwise. */
export async function evaluatePrometheus(
  spec: PrometheusAlarmSpec,
  auth: PrometheusAuthInput | null | undefined,
  opts: EvaluateOptions = {},
): Promise<RawEvaluation> {
  const now = opts.now ?? (() => new Date());
  const observedAt = now().toISOString();
  const url = queryUrl(spec.url);
  let status: number;
  let body: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...authHeader(auth) },
      body: new URLSearchParams({ query: spec.query, timeout: `${spec.timeoutSeconds}s` }).toString(),
      // Prometheus stops at its own timeout; this one covers the network and a Prometheus that never answers.
      signal: AbortSignal.timeout(spec.timeoutSeconds * 1000 + 1000),
      redirect: 'error',
    });
    status = res.status;
    body = await res.text();
  } catch (err) {
    return {
      state: 'UNREACHABLE',
      detail: `${spec.query}: cannot query Prometheus at ${url}: ${readableError(err)}`,
      observedAt,
    };
  }
  if (status === 401 || status === 403) {
    return {
      state: 'UNREACHABLE',
      detail: `${spec.query}: Prometheus at ${url} answered HTTP ${status}: check the alarm's credentials`,
      observedAt,
    };
  }
  const answer = readQueryAnswer(status, body);
  if (!answer.ok) return { state: 'UNREACHABLE', detail: `${spec.query}: ${answer.reason}`, observedAt };
  const judged = judgeSeries(spec, answer.series);
  const warn = answer.warnings.length > 0 ? ` (Prometheus warns: ${answer.warnings.join('; ')})` : '';
  return {
    state: judged.state,
    detail: judged.detail + warn,
    ...(judged.value !== undefined ? { value: judged.value } : {}),
    observedAt,
  };
}
