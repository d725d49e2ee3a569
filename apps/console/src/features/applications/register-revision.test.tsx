// Registering from Git or S3 in the console: what the form sends (a SHA as commit, a branch as ref; bucket/key split),
// the server's field errors under their fields, and the dialog closing once the job has started.
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, reply, stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { RegisterRevisionForm } from './register-revision';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const JOB = {
  jobId: '11111111-1111-4111-8111-111111111111',
  applicationName: 'shop',
  sourceType: 'Git',
  request: {},
  status: 'Pending',
  progress: null,
  error: null,
  revisionId: null,
  deploymentId: null,
  createTime: new Date().toISOString(),
  startTime: null,
  endTime: null,
};

function render(onStarted = vi.fn()) {
  renderPage(
    '/applications/:appName',
    '/applications/shop',
    <RegisterRevisionForm app="shop" onCancel={() => undefined} onStarted={onStarted} />,
    'deployer',
  );
  return onStarted;
}

describe('RegisterRevisionForm', () => {
  it('sends a branch as ref and a full SHA as commit, with the path and the secret', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({ 'POST /v1/applications/shop/revisions/git': reply(202, JOB) });
    const started = render();
    await user.type(screen.getByLabelText('Repository URL'), 'https://github.com/acme/shop.git');
    await user.type(screen.getByLabelText('Commit, branch or tag'), 'main');
    await user.type(screen.getByLabelText('Subdirectory (optional)'), 'deploy');
    await user.type(screen.getByLabelText('Source secret (optional)'), 'acme-ci');
    await user.click(screen.getByRole('button', { name: 'Register' }));
    await vi.waitFor(() => expect(started).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      repositoryUrl: 'https://github.com/acme/shop.git',
      ref: 'main',
      path: 'deploy',
      secretName: 'acme-ci',
    });
    const sha = 'a'.repeat(40);
    await user.clear(screen.getByLabelText('Commit, branch or tag'));
    await user.type(screen.getByLabelText('Commit, branch or tag'), sha);
    await user.click(screen.getByRole('button', { name: 'Register' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'POST')[1]?.body).toMatchObject({ commit: sha });
  });

  it('splits bucket/key for S3 and shows a refused field under it', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'POST /v1/applications/shop/revisions/s3': reply(
        400,
        apiError('InvalidInput', 'body.eTag: an ETag', { issues: [{ field: 'body.eTag', reason: 'an ETag' }] }),
      ),
    });
    const started = render();
    await user.click(screen.getByLabelText('An S3-compatible object'));
    await user.type(screen.getByLabelText('Bucket/key'), 's3://releases/shop/1.4.2.tgz');
    await user.type(screen.getByLabelText('ETag (optional)'), 'not an etag');
    await user.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('an ETag')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      bucket: 'releases',
      key: 'shop/1.4.2.tgz',
      eTag: 'not an etag',
    });
    expect(started).not.toHaveBeenCalled();
  });
});
