import { Link } from 'react-router';

export function NotFound() {
  return (
    <div className="state">
      <strong>There is no page here.</strong>
      <p>
        Check the address, or go to <Link to="/applications">Applications</Link>.
      </p>
    </div>
  );
}
