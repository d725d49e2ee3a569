import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useCreateApplication } from '../../api/applications/mutations';
import { applicationQueries } from '../../api/applications/queries';
import { Dialog } from '../../components/dialog';
import { Field, fieldError, FormError } from '../../components/form';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';

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
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title="No applications yet.">
              {canCreate ? (
                <p>
                  Create one to start. Then add a deployment group (which hosts) and upload a revision (what to deploy).
                </p>
              ) : (
                <p>Ask a deployer or admin to create one.</p>
              )}
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Platform</th>
                    <th scope="col">Created</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((a) => (
                    <tr key={a.applicationId}>
                      <td>
                        <Link to={`/applications/${encodeURIComponent(a.applicationName)}`}>{a.applicationName}</Link>
                      </td>
                      <td>{a.computePlatform}</td>
                      <td>
                        <RelativeTime value={a.createTime} />
                      </td>
                      <td>
                        <RelativeTime value={a.updateTime} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
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
                void navigate(`/applications/${encodeURIComponent(app.applicationName)}`);
              },
            },
          );
        }}
      >
        <Field
          label="Name"
          hint="1–100 characters: letters, digits and . _ + = , @ -"
          error={fieldError(create.error, 'applicationName')}
        >
          {(p) => (
            <input
              {...p}
              type="text"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-autofocus
            />
          )}
        </Field>
        <FormError error={create.error} shownFields={['applicationName']} />
        <div className="actions" style={{ justifyContent: 'flex-end' }}>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || name.trim() === ''}>
            {create.isPending ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
