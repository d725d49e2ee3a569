// A table from column definitions: the markup every list shares (scoped column headers, a header only screen readers
// hear for an actions column, the horizontally scrolling wrapper) and what stands in its place when there are no rows.
import type { ReactNode } from 'react';

export interface Column<T> {
  /** The header text. It also keys the column, so it is unique within a table. */
  header: string;
  /** The header is for screen readers only (an actions column needs a name but no visible title). */
  hiddenHeader?: boolean;
  /** Class of every cell in the column: 'mono', 'nowrap', 'small'… */
  className?: string;
  cell: (row: T) => ReactNode;
}

/** A table's columns; a `false` or `null` entry is left out, so a column can be conditional inline. */
export type Columns<T> = readonly (Column<T> | false | null)[];

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  empty,
  label,
}: {
  columns: Columns<T>;
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** Shown instead of the table when there are no rows (an EmptyState that says what to do). */
  empty?: ReactNode;
  /** Accessible name, when no heading right above names the table. */
  label?: string;
}) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  const shown = columns.filter((c): c is Column<T> => Boolean(c));
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {shown.map((c) => (
              <th scope="col" key={c.header}>
                {c.hiddenHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {shown.map((c) => (
                <td key={c.header} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
