import { formatExact, formatRelative } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "3 minutes ago", with the exact local time on hover and in the accessible name. */
export function RelativeTime({
  value,
  fallback = '—',
  now: givenNow,
}: {
  value: string | null | undefined;
  fallback?: string;
  /** The page's own clock, where something beside this text counts every second (a running duration). */
  now?: number;
}) {
  const clock = useNow(30_000);
  const now = givenNow ?? clock;
  if (!value) return <span className="muted">{fallback}</span>;
  const exact = formatExact(value);
  return (
    <time dateTime={value} title={exact}>
      {formatRelative(value, now)}
    </time>
  );
}
