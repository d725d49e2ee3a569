import { NavLink, Navigate, Route, Routes } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useMe } from '../../api/auth/queries';
import { PageHeader } from '../../components/layout';
import { AccessKeys } from './access-keys';
import { AccountSettings } from './account';
import { ApiTokens } from './api-tokens';
import { NotificationTargetDetail, NotificationTargets } from './notifications';
import { Alarms } from './alarms';
import { DeploymentConfigs } from './deployment-configs';
import { RegistrationTokens } from './registration-tokens';
import { Users } from './users';

export function SettingsPage() {
  const isAdmin = useCan('admin');
  const me = useMe();
  return (
    <>
      <PageHeader title="Settings" />
      <nav className="tabs" aria-label="Settings sections">
        <NavLink to="/settings/api-tokens">API tokens</NavLink>
        <NavLink to="/settings/access-keys">Access keys</NavLink>
        <NavLink to="/settings/registration-tokens">Agent registration</NavLink>
        <NavLink to="/settings/notifications">Notifications</NavLink>
        <NavLink to="/settings/deployment-configs">Deployment configs</NavLink>
        <NavLink to="/settings/alarms">Alarms</NavLink>
        {isAdmin ? <NavLink to="/settings/users">Users</NavLink> : null}
        {me?.kind === 'user' ? <NavLink to="/settings/account">Your account</NavLink> : null}
      </nav>
      <Routes>
        <Route index element={<Navigate to="api-tokens" replace />} />
        <Route path="api-tokens" element={<ApiTokens />} />
        <Route path="access-keys" element={<AccessKeys />} />
        <Route path="registration-tokens" element={<RegistrationTokens />} />
        <Route path="notifications" element={<NotificationTargets />} />
        <Route path="notifications/:name" element={<NotificationTargetDetail />} />
        <Route path="deployment-configs" element={<DeploymentConfigs />} />
        <Route path="alarms" element={<Alarms />} />
        <Route path="users" element={<Users />} />
        <Route path="account" element={<AccountSettings />} />
      </Routes>
    </>
  );
}
