// Writes the operation table of docs/aws-compatibility.md (between its operation-table markers) from the code's
// OPERATION_SUPPORT (then run prettier on it); apps/api/src/aws/operation-table.test.ts fails when the page's rows differ.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOperationTable } from '../aws/operation-table';

export const COMPATIBILITY_DOC = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../docs/aws-compatibility.md',
);
const START = '<!-- operation-table:start -->';
const END = '<!-- operation-table:end -->';

/** The table's rows as cells (trimmed), whatever the column padding Prettier gave them. */
export function tableRows(markdown: string): string[][] {
  const a = markdown.indexOf(START);
  const b = markdown.indexOf(END);
  const block = a >= 0 && b > a ? markdown.slice(a + START.length, b) : markdown;
  return block
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
}

/** The page with its table replaced by the code's. */
export function withOperationTable(page: string): string {
  const a = page.indexOf(START);
  const b = page.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${COMPATIBILITY_DOC} has no ${START} … ${END} block`);
  return `${page.slice(0, a + START.length)}\n${renderOperationTable()}\n${page.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(COMPATIBILITY_DOC, withOperationTable(readFileSync(COMPATIBILITY_DOC, 'utf8')));
  console.log(`wrote the operation table of ${path.relative(process.cwd(), COMPATIBILITY_DOC)}`);
}
