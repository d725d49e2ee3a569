// The app shell: skip link, navigation, who is logged in, and the page outlet.
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLogout } from '../api/auth/mutations';
import { useMe } from '../api/auth/queries';

export function Layout() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const isAdmin = me?.role === 'admin';
  const who = me?.user?.email ?? me?.token?.name ?? 'unknown';
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="nav" aria-label="Main">
        <div className="nav-brand">Drover</div>
        <NavLink to="/applications">Applications</NavLink>
        <NavLink to="/deployments">Deployments</NavLink>
        <NavLink to="/instances">Instances</NavLink>
        <NavLink to="/load-balancers">Load balancers</NavLink>
        <NavLink to="/settings">Settings</NavLink>
        {isAdmin ? <NavLink to="/audit">Audit log</NavLink> : null}
        <div className="nav-footer">
          <span title={who}>
            {who}
            {me ? ` · ${me.role}` : ''}
          </span>
          {me?.kind === 'user' ? (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/login') })}
              disabled={logout.isPending}
            >
              Log out
            </button>
          ) : null}
        </div>
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        {me?.user?.mustChangePassword ? (
          <p className="notice notice-warning">
            Your password was set by an admin. <NavLink to="/settings/account">Choose a new one</NavLink>.
          </p>
        ) : null}
        <Outlet />
      </main>
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  crumbs,
  actions,
}: {
  title: React.ReactNode;
  subtitle?: React.ReactNode;
  crumbs?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        {crumbs ? <div className="breadcrumbs">{crumbs}</div> : null}
        <h1>{title}</h1>
        {subtitle ? <div className="subtitle">{subtitle}</div> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}
