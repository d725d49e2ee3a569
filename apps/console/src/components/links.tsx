// Links to the pages of the things lists mention: an application, a deployment group, a deployment.
import { Link } from 'react-router';
import { pagePaths } from '../lib/page-paths';

export function ApplicationLink({ app }: { app: string }) {
  return <Link to={pagePaths.application(app)}>{app}</Link>;
}

export function GroupLink({ app, group }: { app: string; group: string }) {
  return <Link to={pagePaths.group(app, group)}>{group}</Link>;
}

/** "app / group", each part linked. */
export function ApplicationGroupLinks({ app, group }: { app: string; group: string }) {
  return (
    <>
      <ApplicationLink app={app} /> / <GroupLink app={app} group={group} />
    </>
  );
}

/** A deployment id in monospace, linked to its page. */
export function DeploymentLink({ id, className = 'mono' }: { id: string; className?: string }) {
  return (
    <Link className={className} to={pagePaths.deployment(id)}>
      {id}
    </Link>
  );
}
