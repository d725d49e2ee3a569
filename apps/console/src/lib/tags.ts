import type { Tag } from '@drover/contracts';

/** "env=prod, role=web" → tags; blank entries are ignored. */
export function parseTags(text: string): Tag[] {
  return text
    .split(/[,\n]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const eq = s.indexOf('=');
      return eq < 0 ? { key: s, value: '' } : { key: s.slice(0, eq).trim(), value: s.slice(eq + 1).trim() };
    });
}
