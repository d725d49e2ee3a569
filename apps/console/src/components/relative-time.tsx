import { formatExact, formatRelative } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "3 minutes ago", with the exact local time on hover and in the accessible name. */
export function RelativeTime({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  const now = useNow(30_000);
  if (!value) return <span className="muted">{fallback}</span>;
  const exact = formatExact(value);
  return (
    <time dateTime={value} title={exact}>
      {formatRelative(value, now)}
    </time>
  );
}
