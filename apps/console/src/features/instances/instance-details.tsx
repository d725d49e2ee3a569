// One host, in the fleet page's dialog: identity, agent, tags (editable by deployers), what it runs per deployment
// group, and deregistration (admins).
import type { InstalledRevisionInfo, Tag } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { useAddInstanceTags, useDeregisterInstance, useRemoveInstanceTag } from '../../api/instances/mutations';
import { instanceQueries } from '../../api/instances/queries';
import { useRevisionLookup } from '../../api/revisions/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { CopyableId } from '../../components/copy-button';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { FormError } from '../../components/form';
import { ApplicationGroupLinks, DeploymentLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { RevisionLabel } from '../../components/revision-label';
import { QueryBoundary } from '../../components/states';
import { parseTags } from '../../lib/tags';

export function InstanceDetails({ name }: { name: string }) {
  const detail = useQuery(instanceQueries.detail(name));
  const canTag = useCan('deployer');
  const isAdmin = useCan('admin');
  return (
    <QueryBoundary query={detail} what="the instance">
      {(i) => (
        <div className="stack">
          <dl className="props">
            <dt>Instance id</dt>
            <dd>
              <CopyableId value={i.instanceId} what="instance id" />
            </dd>
            <dt>Agent</dt>
            <dd>
              {i.online ? 'online' : 'offline'} · last seen <RelativeTime value={i.lastSeenAt} fallback="never" /> ·
              version {i.agentVersion ?? 'unknown'}
            </dd>
            <dt>Hostname</dt>
            <dd>{i.hostname ?? '—'}</dd>
            <dt>Platform</dt>
            <dd>{i.platform ?? '—'}</dd>
            <dt>Registered</dt>
            <dd>
              <RelativeTime value={i.registerTime} />
              {i.deregisterTime ? (
                <>
                  {' '}
                  · deregistered <RelativeTime value={i.deregisterTime} />
                </>
              ) : null}
            </dd>
            <dt>Tags</dt>
            <dd>
              <InstanceTags
                name={i.instanceName}
                tags={i.tags}
                editable={canTag && i.registrationStatus === 'Registered'}
              />
            </dd>
          </dl>
          <h3>What runs here</h3>
          <InstalledRevisions installed={i.installedRevisions} />
          {isAdmin && i.registrationStatus === 'Registered' ? <Deregister name={i.instanceName} /> : null}
        </div>
      )}
    </QueryBoundary>
  );
}

/** The revision this host last installed successfully, per deployment group. */
function InstalledRevisions({ installed }: { installed: readonly InstalledRevisionInfo[] }) {
  const revisions = useRevisionLookup(installed);
  return (
    <DataTable
      rows={installed}
      rowKey={(r) => r.deploymentGroupId}
      empty={<p className="muted">Nothing has been deployed to this host yet.</p>}
      columns={[
        {
          header: 'Application / group',
          cell: (r) => <ApplicationGroupLinks app={r.applicationName} group={r.deploymentGroupName} />,
        },
        {
          header: 'Revision',
          cell: (r) => <RevisionLabel revisionId={r.revisionId} revision={revisions.get(r.revisionId)} />,
        },
        { header: 'Deployment', cell: (r) => <DeploymentLink id={r.deploymentId} /> },
        { header: 'Installed', cell: (r) => <RelativeTime value={r.installedAt} /> },
      ]}
    />
  );
}

function InstanceTags({ name, tags, editable }: { name: string; tags: readonly Tag[]; editable: boolean }) {
  const add = useAddInstanceTags(name);
  const remove = useRemoveInstanceTag(name);
  const [text, setText] = useState('');
  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="tags">
        {tags.length === 0 ? <span className="muted">none</span> : null}
        {tags.map((t) => (
          <span className="tag" key={t.key}>
            {`${t.key}${t.value ? `=${t.value}` : ''}`}
            {editable ? (
              <button
                type="button"
                className="link-button"
                aria-label={`Remove tag ${t.key}`}
                disabled={remove.isPending}
                onClick={() => remove.mutate(t.key)}
              >
                {' '}
                ✕
              </button>
            ) : null}
          </span>
        ))}
      </div>
      {editable ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = parseTags(text);
            if (parsed.length) add.mutate(parsed, { onSuccess: () => setText('') });
          }}
        >
          <label className="field">
            <span className="visually-hidden">Tags to add</span>
            <input type="text" placeholder="key=value, …" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small" disabled={add.isPending || text.trim() === ''}>
            Add tags
          </button>
        </form>
      ) : null}
      <FormError error={add.error ?? remove.error} />
    </div>
  );
}

function Deregister({ name }: { name: string }) {
  const deregister = useConfirmAction(useDeregisterInstance(name), () => undefined);
  return (
    <div>
      <button type="button" className="btn btn-danger" onClick={() => deregister.ask(name)}>
        Deregister {name}
      </button>
      <ConfirmDialog {...deregister.dialog} title={`Deregister ${name}?`} confirmLabel="Deregister" tone="danger">
        <p>
          The host stops being a deployment target and its agent&apos;s credential is refused from now on. Nothing is
          uninstalled from it. To bring it back, register the agent again.
        </p>
      </ConfirmDialog>
    </div>
  );
}
