// Every flow that uploads a bundle shows the appspec.yml warnings of the upload answer (and nothing without any):
// the application page's "Upload revision" dialog and the deploy form's "Upload a new bundle". The bundle goes by
// XMLHttpRequest (src/api/upload.ts), so the tests stub it with one that answers the given RevisionInfo.
import type { AppSpecWarning } from '@drover/contracts';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeGroup, makeRevision } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { CreateDeploymentPage } from '../deployments/create-deployment-page';
import { ApplicationPage } from './application-page';

const NEW = '33333333-3333-4333-8333-333333333333';
const WARNINGS: AppSpecWarning[] = [
  { line: 4, field: 'file', message: 'unknown top-level key (did you mean files?)' },
  { line: 9, field: 'files[0].overwrite', message: 'not a files option: use file_exists_behavior' },
];

/** An XMLHttpRequest that answers every upload with `answer` (a 201 and the RevisionInfo's JSON). */
function stubUpload(answer: unknown): string[] {
  const urls: string[] = [];
  class FakeXhr {
    upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
    status = 0;
    responseText = '';
    withCredentials = false;
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open(_method: string, url: string) {
      urls.push(url);
    }
    setRequestHeader() {}
    getResponseHeader() {
      return null;
    }
    abort() {
      this.onabort?.();
    }
    send() {
      setTimeout(() => {
        this.status = 201;
        this.responseText = JSON.stringify(answer);
        this.onload?.();
      }, 0);
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return urls;
}

const bundle = () => new File(['bundle'], 'site.tgz', { type: 'application/gzip' });

// Unmount first: a query refetched after the fetch stub is gone would go to happy-dom's localhost:3000.
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('appspec warnings after an upload', () => {
  const appRoutes = {
    '/v1/applications/shop': {
      applicationId: 'app-1',
      applicationName: 'shop',
      computePlatform: 'Server',
      createTime: '2026-08-14T10:00:00.000Z',
      updateTime: '2026-08-14T10:00:00.000Z',
    },
    '/v1/applications/shop/deployment-groups': { items: [], nextCursor: null },
    '/v1/applications/shop/revisions': { items: [], nextCursor: null },
    '/v1/deployments': { items: [], nextCursor: null },
  };

  async function uploadOnApplicationPage() {
    const user = userEvent.setup();
    renderPage('/applications/:appName', '/applications/shop', <ApplicationPage />, 'deployer');
    await user.click(await screen.findByRole('button', { name: 'Upload revision' }));
    const dialog = screen.getByRole('dialog', { name: 'Upload revision' });
    await user.upload(within(dialog).getByLabelText('Bundle'), bundle());
    await user.click(within(dialog).getByRole('button', { name: 'Upload revision' }));
    return user;
  }

  it('on the application page: a warning box with each line and field, until dismissed', async () => {
    stubApi(appRoutes);
    const urls = stubUpload(makeRevision(NEW, 'c3', { appspecWarnings: WARNINGS }));
    const user = await uploadOnApplicationPage();

    const box = await screen.findByRole('alert', { name: 'appspec.yml warnings' });
    expect(urls).toEqual(['/v1/applications/shop/revisions']);
    expect(box.textContent).toContain('Warning:');
    expect(box.textContent).toContain('the revision was stored');
    expect(box.textContent).toContain('ignored on the hosts');
    expect(
      within(box)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'appspec.yml line 4, file: unknown top-level key (did you mean files?)',
      'appspec.yml line 9, files[0].overwrite: not a files option: use file_exists_behavior',
    ]);

    await user.click(within(box).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert', { name: 'appspec.yml warnings' })).toBeNull();
  });

  it('on the application page: nothing extra without warnings', async () => {
    stubApi(appRoutes);
    stubUpload(makeRevision(NEW, 'c3', { appspecWarnings: [] }));
    await uploadOnApplicationPage();

    // The dialog closes once the upload is done.
    await vi.waitFor(() => expect(screen.queryByLabelText('Bundle')).toBeNull());
    expect(screen.queryByRole('alert', { name: 'appspec.yml warnings' })).toBeNull();
    expect(screen.queryByText(/Warning/)).toBeNull();
  });

  describe('on the deploy form, "Upload a new bundle"', () => {
    const deployRoutes = {
      '/v1/applications/shop/deployment-groups': { items: [makeGroup()], nextCursor: null },
      '/v1/applications/shop/revisions': { items: [], nextCursor: null },
      '/v1/deployment-configs': { items: [], nextCursor: null },
    };

    it('shows the warnings after the upload', async () => {
      stubApi(deployRoutes);
      stubUpload(makeRevision(NEW, 'c3', { appspecWarnings: [WARNINGS[1]!] }));
      const user = userEvent.setup();
      renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');

      // No revision yet: the form starts on the upload.
      await user.upload(await screen.findByLabelText('Bundle'), bundle());
      await user.click(screen.getByRole('button', { name: 'Upload revision' }));

      const box = await screen.findByRole('alert', { name: 'appspec.yml warnings' });
      expect(box.textContent).toContain('Warning:');
      expect(within(box).getByRole('listitem').textContent).toBe(
        'appspec.yml line 9, files[0].overwrite: not a files option: use file_exists_behavior',
      );
    });

    it('shows nothing without warnings', async () => {
      const revision = makeRevision(NEW, 'c3');
      const urls = stubUpload(revision);
      const asked = stubApi({
        ...deployRoutes,
        '/v1/applications/shop/revisions': () => ({ items: urls.length ? [revision] : [], nextCursor: null }),
      });
      const user = userEvent.setup();
      renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');

      await user.upload(await screen.findByLabelText('Bundle'), bundle());
      await user.click(screen.getByRole('button', { name: 'Upload revision' }));

      // Back on "Pick an uploaded revision", with the new revision chosen and its plan asked for.
      await vi.waitFor(() => expect(screen.getByLabelText<HTMLSelectElement>('Revision').value).toBe(NEW));
      await vi.waitFor(() => expect(asked.filter((u) => u === '/v1/deployments/plan')).toHaveLength(2));
      expect(screen.queryByRole('alert', { name: 'appspec.yml warnings' })).toBeNull();
      expect(screen.queryByText(/Warning/)).toBeNull();
    });
  });

  it('offers a sample appspec.yml and a Cancel that closes the dialog', async () => {
    stubApi(appRoutes);
    const user = userEvent.setup();
    renderPage('/applications/:appName', '/applications/shop', <ApplicationPage />, 'deployer');
    await user.click(await screen.findByRole('button', { name: 'Upload revision' }));
    const dialog = screen.getByRole('dialog', { name: 'Upload revision' });
    await user.click(within(dialog).getByText('A sample appspec.yml'));
    expect(dialog.querySelector('pre.sample-appspec')?.textContent).toContain('ValidateService:');
    // No bundle type to choose: the server reads it from the file.
    expect(within(dialog).queryByLabelText('Bundle type')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await vi.waitFor(() => expect(screen.queryByRole('dialog', { name: 'Upload revision' })).toBeNull());
  });
});
