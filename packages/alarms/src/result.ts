// What one evaluation of one alarm source says, before any "for" duration applies.
import type { AlarmState } from '@drover/contracts';

export interface RawEvaluation {
  /** OK or ALARM from the source's answer (the condition met or not), or UNREACHABLE when it could not be asked. */
  state: AlarmState;
  /** Readable: the query, the value seen, the threshold; the HTTP status or the error. */
  detail: string;
  /** The number behind the state when there is one (the deciding sample, the HTTP status). */
  value?: number;
  /** ISO 8601: when the source was asked (or, for Alertmanager, when the stored alerts were read). */
  observedAt: string;
}

export function readableError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  // undici's fetch failures say "fetch failed" and keep the reason in cause (ECONNREFUSED, ENOTFOUND, …).
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    const known: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ECONNRESET: 'connection reset',
      ENOTFOUND: 'host not found',
      EAI_AGAIN: 'host name lookup failed',
      EHOSTUNREACH: 'host unreachable',
      ETIMEDOUT: 'connection timed out',
      UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
      UND_ERR_SOCKET: 'connection closed',
    };
    if (code && known[code]) return `${known[code]} (${code})`;
    return cause.message || err.message;
  }
  return err.message;
}
