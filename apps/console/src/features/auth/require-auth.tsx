// Guards every page but /login: waits for "who am I", then renders the page or sends the user to log in.
import { useQuery } from '@tanstack/react-query';
import { Navigate, Outlet, useLocation } from 'react-router';
import { meQuery } from '../../api/auth/queries';
import { ErrorState, Loading } from '../../components/states';

export function RequireAuth() {
  const me = useQuery(meQuery());
  const location = useLocation();
  if (me.isPending) return <Loading what="your session" />;
  if (me.isError)
    return <ErrorState error={me.error} title="Could not check your session." onRetry={() => void me.refetch()} />;
  if (me.data === null) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
