// The app shell: skip link, navigation, who is logged in, and the page outlet.
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout } from '../api/auth/mutations';
import { useMe } from '../api/auth/queries';

export function Layout() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  // Admin pages need admin everywhere; a role held only on some applications does not show them.
  const isAdmin = me?.globalRole === undefined ? me?.role === 'admin' : me.globalRole === 'admin';
  const who = me?.user?.email ?? me?.token?.name ?? 'unknown';
  // On a phone the links fold behind a Menu button (CSS shows it below 700 px); a page change folds them again.
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setMenuOpen(false), [pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className={`nav ${menuOpen ? 'nav-open' : ''}`} aria-label="Main">
        <div className="nav-top">
          <div className="nav-brand">Drover</div>
          <button
            type="button"
            className="btn btn-small nav-toggle"
            aria-expanded={menuOpen}
            aria-controls="nav-links"
            onClick={() => setMenuOpen((o) => !o)}
          >
            {menuOpen ? 'Close menu' : 'Menu'}
          </button>
        </div>
        <div className="nav-links" id="nav-links">
          <NavLink to="/applications">Applications</NavLink>
          <NavLink to="/deployments">Deployments</NavLink>
          <NavLink to="/instances">Instances</NavLink>
          <NavLink to="/load-balancers">Load balancers</NavLink>
          <NavLink to="/settings">Settings</NavLink>
          {isAdmin ? <NavLink to="/audit">Audit log</NavLink> : null}
        </div>
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
          <p className="notice notice-warning notice-compact">
            Your password was set by an admin. <NavLink to="/settings/account">Choose a new one</NavLink>: until then
            the server answers nothing else.
          </p>
        ) : null}
        {/* The API refuses everything but me, password and logout until the password is changed (#18). */}
        {me?.user?.mustChangePassword && !pathname.startsWith('/settings/account') ? null : <Outlet />}
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
