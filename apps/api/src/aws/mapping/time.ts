// AWS JSON 1.1 sends timestamps as epoch seconds (JSON numbers, fractions allowed); the SDKs turn them into Dates.

/** Epoch seconds (millisecond precision) of an ISO timestamp; undefined stays undefined so the member is omitted. */
export function epoch(iso: string): number;
export function epoch(iso: string | null | undefined): number | undefined;
export function epoch(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  return Date.parse(iso) / 1000;
}

/** An epoch-seconds input (createTimeRange) as an ISO timestamp. */
export function isoOfEpoch(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Drops undefined members, so an answer carries only what is known (as AWS omits unset members). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
