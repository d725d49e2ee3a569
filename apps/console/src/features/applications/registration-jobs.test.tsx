// The application page's Git and S3 registrations: a running one shows its progress and is followed until it ends;
// a failure shows its code and reason; nothing shows when there are none.
import type { RevisionJobInfo } from '@drover/contracts';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { RegistrationJobs } from './registration-jobs';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const job = (over: Partial<RevisionJobInfo>): RevisionJobInfo => ({
  jobId: '11111111-1111-4111-8111-111111111111',
  applicationName: 'shop',
  sourceType: 'Git',
  request: { repositoryUrl: 'https://github.com/acme/shop.git', ref: 'main' },
  status: 'Running',
  progress: 'Receiving objects:  42% (84/200), 1.20 MiB | 2.00 MiB/s',
  error: null,
  revisionId: null,
  deploymentId: null,
  createTime: new Date().toISOString(),
  startTime: new Date().toISOString(),
  endTime: null,
  ...over,
});

const render = () =>
  renderPage('/applications/:appName', '/applications/shop', <RegistrationJobs applicationName="shop" />);

describe('RegistrationJobs', () => {
  it('follows a running registration until it succeeds, then refreshes the revisions', async () => {
    let calls = 0;
    const asked = stubApi({
      '/v1/applications/shop/revision-jobs': () => {
        calls++;
        return {
          items: [
            calls < 2
              ? job({})
              : job({
                  status: 'Succeeded',
                  request: { repositoryUrl: 'https://github.com/acme/shop.git', ref: 'main', commit: SHA },
                  progress: 'registered revision 22222222-2222-4222-8222-222222222222',
                  revisionId: '22222222-2222-4222-8222-222222222222',
                }),
          ],
          nextCursor: null,
        };
      },
    });
    render();
    expect(await screen.findByText(/Receiving objects: 42%/)).toBeTruthy();
    expect(screen.getByText('Running')).toBeTruthy();
    expect(screen.getByText('https://github.com/acme/shop.git @ main')).toBeTruthy();
    await waitFor(() => expect(screen.getByText('Succeeded')).toBeTruthy(), { timeout: 5000 });
    expect(screen.getByText(`https://github.com/acme/shop.git @ ${SHA.slice(0, 12)} (main)`)).toBeTruthy();
    expect(screen.getByText(/registered revision 2222/)).toBeTruthy();
    expect(asked.filter((u) => u.includes('revision-jobs')).length).toBeGreaterThanOrEqual(2);
  });

  it('shows why a registration failed', async () => {
    stubApi({
      '/v1/applications/shop/revision-jobs': {
        items: [
          job({
            sourceType: 'S3',
            request: { bucket: 'releases', key: 'shop/1.tgz', eTag: 'abc' },
            status: 'Failed',
            error: { code: 'ObjectChanged', message: 's3://releases/shop/1.tgz has ETag def, not abc' },
          }),
        ],
        nextCursor: null,
      },
    });
    render();
    expect(await screen.findByText(/ObjectChanged: s3:\/\/releases\/shop\/1.tgz has ETag def, not abc/)).toBeTruthy();
    expect(screen.getByText('s3://releases/shop/1.tgz')).toBeTruthy();
  });

  it('shows nothing when the application has no registrations', async () => {
    const asked = stubApi({ '/v1/applications/shop/revision-jobs': { items: [], nextCursor: null } });
    render();
    await waitFor(() => expect(asked.length).toBeGreaterThan(0));
    expect(screen.queryByRole('heading', { name: /Registrations/ })).toBeNull();
  });
});
