import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useCreateApplication } from '../../api/applications/mutations';
import { applicationQueries } from '../../api/applications/queries';
import { DataTable } from '../../components/data-table';
import { Dialog } from '../../components/dialog';
import { fieldError, FormActions, TextField } from '../../components/form';
import { PageHeader } from '../../components/layout';
import { ApplicationLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { pagePaths } from '../../lib/page-paths';

export function ApplicationsPage() {
  const apps = useQuery(applicationQueries.list());
  const canCreate = useCan('deployer');
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Applications"
        subtitle="An application holds the revisions you deploy and the deployment groups you deploy them to."
        actions={
          canCreate ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              Create application
            </button>
          ) : null
        }
      />
      <QueryBoundary query={apps} what="applications">
        {(page) => (
          <DataTable
            rows={page.items}
            rowKey={(a) => a.applicationId}
            empty={
              <EmptyState title="No applications yet.">
                {canCreate ? (
                  <p>
                    Create one to start. Then add a deployment group (which hosts) and upload a revision (what to
                    deploy).
                  </p>
                ) : (
                  <p>Ask a deployer or admin to create one.</p>
                )}
              </EmptyState>
            }
            columns={[
              { header: 'Name', cell: (a) => <ApplicationLink app={a.applicationName} /> },
              { header: 'Platform', cell: (a) => a.computePlatform },
              { header: 'Created', cell: (a) => <RelativeTime value={a.createTime} /> },
              { header: 'Updated', cell: (a) => <RelativeTime value={a.updateTime} /> },
            ]}
          />
        )}
      </QueryBoundary>
      <CreateApplicationDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function CreateApplicationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateApplication();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const close = () => {
    create.reset();
    setName('');
    onClose();
  };
  return (
    <Dialog open={open} title="Create application" onClose={close}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { applicationName: name.trim(), computePlatform: 'Server' },
            {
              onSuccess: (app) => {
                close();
                void navigate(pagePaths.application(app.applicationName));
              },
            },
          );
        }}
      >
        <TextField
          label="Name"
          hint="1–100 characters: letters, digits and . _ + = , @ -"
          error={fieldError(create.error, 'applicationName')}
          required
          maxLength={100}
          value={name}
          onChange={setName}
          focusFirst
        />
        <FormActions
          error={create.error}
          shownFields={['applicationName']}
          onCancel={close}
          pending={create.isPending}
          pendingLabel="Creating…"
          disabled={name.trim() === ''}
        >
          Create
        </FormActions>
      </form>
    </Dialog>
  );
}
