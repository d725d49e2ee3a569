// Columns the API-token and registration-token tables share: which token (name and the prefix its secret starts
// with), when it stops working, and the Revoke button.
import type { Column } from '../../components/data-table';
import { RelativeTime } from '../../components/relative-time';

interface TokenRow {
  name: string;
  prefix: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export function nameColumns<T extends TokenRow>(): Column<T>[] {
  return [
    { header: 'Name', cell: (t) => t.name },
    { header: 'Prefix', className: 'mono', cell: (t) => `${t.prefix}…` },
  ];
}

/** "revoked" once revoked, else the expiry ("never" without one). */
export function expiresColumn<T extends TokenRow>(): Column<T> {
  return {
    header: 'Expires',
    cell: (t) =>
      t.revokedAt ? (
        <span className="badge badge-skipped">revoked</span>
      ) : (
        <RelativeTime value={t.expiresAt} fallback="never" />
      ),
  };
}

/** A Revoke button on every token still in force, named for screen readers ("Revoke token ci-deployer"). */
export function revokeColumn<T extends TokenRow>(what: string, onRevoke: (token: T) => void): Column<T> {
  return {
    header: 'Actions',
    hiddenHeader: true,
    cell: (t) =>
      t.revokedAt ? null : (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => onRevoke(t)}
          aria-label={`Revoke ${what} ${t.name}`}
        >
          Revoke
        </button>
      ),
  };
}
