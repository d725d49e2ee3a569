import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable, type Columns } from './data-table';

interface Token {
  id: string;
  name: string;
  revoked: boolean;
}

const rows: Token[] = [
  { id: 't1', name: 'ci-deployer', revoked: false },
  { id: 't2', name: 'old-script', revoked: true },
];

const columns = (withState: boolean): Columns<Token> => [
  { header: 'Name', className: 'mono', cell: (t) => t.name },
  withState && { header: 'State', cell: (t) => (t.revoked ? 'revoked' : 'active') },
  { header: 'Actions', hiddenHeader: true, cell: (t) => <button type="button">Revoke {t.name}</button> },
];

describe('DataTable', () => {
  it('gives every column a scoped header, hiding only the action column’s title', () => {
    render(<DataTable columns={columns(true)} rows={rows} rowKey={(t) => t.id} label="API tokens" />);
    const table = screen.getByRole('table', { name: 'API tokens' });
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'State', 'Actions']);
    expect(headers.every((h) => h.getAttribute('scope') === 'col')).toBe(true);
    expect(headers[2]?.querySelector('.visually-hidden')?.textContent).toBe('Actions');
    expect(headers[0]?.querySelector('.visually-hidden')).toBeNull();
  });

  it('renders a row per item, cells in column order with the column’s class', () => {
    render(<DataTable columns={columns(true)} rows={rows} rowKey={(t) => t.id} />);
    const [, first, second] = screen.getAllByRole('row');
    const cells = within(first!).getAllByRole('cell');
    expect(cells.map((c) => c.textContent)).toEqual(['ci-deployer', 'active', 'Revoke ci-deployer']);
    expect(cells[0]?.className).toBe('mono');
    expect(within(second!).getAllByRole('cell')[1]?.textContent).toBe('revoked');
  });

  it('leaves out a column given as false', () => {
    render(<DataTable columns={columns(false)} rows={rows} rowKey={(t) => t.id} />);
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'Actions']);
    expect(within(screen.getAllByRole('row')[1]!).getAllByRole('cell')).toHaveLength(2);
  });

  it('shows the empty state instead of a table with no rows', () => {
    render(<DataTable columns={columns(true)} rows={[]} rowKey={(t) => t.id} empty={<p>No API tokens.</p>} />);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByText('No API tokens.')).toBeTruthy();
  });

  it('keeps the headers when there is no row and no empty state', () => {
    render(<DataTable columns={columns(true)} rows={[]} rowKey={(t) => t.id} />);
    expect(screen.getAllByRole('columnheader')).toHaveLength(3);
    expect(screen.getAllByRole('row')).toHaveLength(1);
  });
});
