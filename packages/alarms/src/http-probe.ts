// HTTP probe alarms: a GET of the url must answer an expected status (and contain a text, when asked) within the
// timeout; the alarm is in condition when it does not. Redirects are not followed: the probe judges what the url
// itself answers. A probe that gets no answer is ALARM too, not UNREACHABLE — for a probe, no answer is the failure
// it watches for.
import type { ExpectStatus, HttpProbeAlarmSpec } from '@drover/contracts';
import { readableError, type RawEvaluation } from './result';
import type { EvaluateOptions } from './prometheus';

/** Bodies are read this far for bodyContains. */
const MAX_BODY_BYTES = 1_000_000;

export function statusExpected(expect: ExpectStatus, status: number): boolean {
  if (typeof expect === 'number') return status === expect;
  if (Array.isArray(expect)) return expect.includes(status);
  return status >= expect.min && status <= expect.max;
}

export function describeExpected(expect: ExpectStatus): string {
  if (typeof expect === 'number') return String(expect);
  if (Array.isArray(expect)) return expect.join(' or ');
  return `${expect.min}-${expect.max}`;
}

async function readSome(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

export async function evaluateHttpProbe(spec: HttpProbeAlarmSpec, opts: EvaluateOptions = {}): Promise<RawEvaluation> {
  const now = opts.now ?? (() => new Date());
  const observedAt = now().toISOString();
  const started = Date.now();
  const signal = AbortSignal.timeout(spec.timeoutSeconds * 1000);
  try {
    const res = await fetch(spec.url, { method: 'GET', redirect: 'manual', signal });
    const expected = describeExpected(spec.expectStatus);
    if (!statusExpected(spec.expectStatus, res.status)) {
      await res.body?.cancel().catch(() => undefined);
      return {
        state: 'ALARM',
        detail: `GET ${spec.url} answered ${res.status}, expected ${expected}`,
        value: res.status,
        observedAt,
      };
    }
    if (spec.bodyContains !== undefined) {
      const body = await readSome(res);
      if (!body.includes(spec.bodyContains)) {
        return {
          state: 'ALARM',
          detail: `GET ${spec.url} answered ${res.status} without "${spec.bodyContains}" in its body`,
          value: res.status,
          observedAt,
        };
      }
    } else {
      await res.body?.cancel().catch(() => undefined);
    }
    return {
      state: 'OK',
      detail: `GET ${spec.url} answered ${res.status} in ${Date.now() - started} ms (expected ${expected}${spec.bodyContains !== undefined ? `, body contains "${spec.bodyContains}"` : ''})`,
      value: res.status,
      observedAt,
    };
  } catch (err) {
    const reason = signal.aborted ? `no answer within ${spec.timeoutSeconds} s` : readableError(err);
    return { state: 'ALARM', detail: `GET ${spec.url} failed: ${reason}`, observedAt };
  }
}
