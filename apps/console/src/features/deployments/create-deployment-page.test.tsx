// The deploy form sends out exactly the revision it shows: in "Upload a new bundle" mode nothing can start until the
// chosen bundle is uploaded (it used to deploy whatever revision was picked before), and the revision that will go
// out is named in full (description, SHA-256, id, when it was uploaded).
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApiCalls } from '../../../test-support/fake-api';
import { makeDeployment, makeGroup, makePlan, makeRevision } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { CreateDeploymentPage } from './create-deployment-page';

const OLD = '11111111-aaaa-4aaa-8aaa-111111111111';
const OLDER = '22222222-bbbb-4bbb-8bbb-222222222222';
const NEW = '33333333-cccc-4ccc-8ccc-333333333333';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function routes(
  revisions = [
    makeRevision(OLD, 'a1', { description: 'v1.0 old' }),
    makeRevision(OLDER, 'b2', { description: 'v0.9 older' }),
  ],
) {
  return {
    '/v1/applications/shop/deployment-groups': { items: [makeGroup()], nextCursor: null },
    '/v1/applications/shop/revisions': { items: revisions, nextCursor: null },
    '/v1/deployment-configs': { items: [], nextCursor: null },
    'POST /v1/deployments/plan': makePlan(),
    'POST /v1/deployments': makeDeployment({ deploymentId: 'd-NEW000001' }),
  };
}

/** An XMLHttpRequest that never answers until `finish()` (an upload under way). */
function stubSlowUpload() {
  let finish: (answer: unknown) => void = () => undefined;
  class FakeXhr {
    upload = { onprogress: null };
    status = 0;
    responseText = '';
    withCredentials = false;
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open() {}
    setRequestHeader() {}
    getResponseHeader() {
      return null;
    }
    abort() {
      this.onabort?.();
    }
    send() {
      finish = (answer) => {
        this.status = 201;
        this.responseText = JSON.stringify(answer);
        this.onload?.();
      };
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return (answer: unknown) => finish(answer);
}

const start = () => screen.getByRole('button', { name: 'Start deployment' });
const willDeploy = () => screen.getByRole('region', { name: 'Will be deployed' });

describe('Create deployment: what will deploy', () => {
  it('names the revision Start deployment sends, and sends that one', async () => {
    const calls = stubApiCalls(routes());
    const user = userEvent.setup();
    renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');

    await vi.waitFor(() => expect(within(willDeploy()).queryByText('v1.0 old')).toBeTruthy());
    expect(willDeploy().textContent).toContain('a1a1a1a1');
    expect(willDeploy().textContent).toContain(OLD);
    await user.selectOptions(screen.getByLabelText('Revision'), OLDER);
    expect(within(willDeploy()).getByText('v0.9 older')).toBeTruthy();
    await vi.waitFor(() => expect((start() as HTMLButtonElement).disabled).toBe(false));
    await user.click(start());
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.url === '/v1/deployments')).toBeTruthy());
    expect(calls.find((c) => c.method === 'POST' && c.url === '/v1/deployments')?.body).toMatchObject({
      revisionId: OLDER,
    });
  });

  it('in upload mode, cannot start the earlier-picked revision while the chosen bundle is not uploaded', async () => {
    const calls = stubApiCalls(routes());
    const finishUpload = stubSlowUpload();
    const user = userEvent.setup();
    renderPage('/applications/:appName/deploy', '/applications/shop/deploy', <CreateDeploymentPage />, 'deployer');
    await vi.waitFor(() => expect((start() as HTMLButtonElement).disabled).toBe(false));

    await user.click(screen.getByRole('radio', { name: 'Upload a new bundle' }));
    await user.upload(screen.getByLabelText('Bundle'), new File(['x'], 'site-v2.tgz'));
    expect((start() as HTMLButtonElement).disabled).toBe(true);
    const reason = document.getElementById(start().getAttribute('aria-describedby') ?? '');
    expect(reason?.textContent).toBe('Upload site-v2.tgz first: the deployment starts from an uploaded revision.');
    expect(willDeploy().textContent).toContain('Nothing yet');
    expect(willDeploy().textContent).not.toContain('v1.0 old');

    // Pressing Upload: still nothing to start while the bytes go.
    await user.click(screen.getByRole('button', { name: 'Upload revision' }));
    expect((start() as HTMLButtonElement).disabled).toBe(true);
    await user.click(start());
    expect(calls.some((c) => c.method === 'POST' && c.url === '/v1/deployments')).toBe(false);

    // Done: the new revision is the one shown and the one sent.
    const uploaded = makeRevision(NEW, 'c3', { description: 'v2.0 new' });
    // The list the API answers from now on holds it (the running XMLHttpRequest keeps its fake).
    const after = stubApiCalls(routes([uploaded, makeRevision(OLD, 'a1', { description: 'v1.0 old' })]));
    finishUpload(uploaded);
    await vi.waitFor(() => expect(within(willDeploy()).queryByText('v2.0 new')).toBeTruthy());
    await vi.waitFor(() => expect((start() as HTMLButtonElement).disabled).toBe(false));
    await user.click(start());
    await vi.waitFor(() => expect(after.find((c) => c.method === 'POST' && c.url === '/v1/deployments')).toBeTruthy());
    expect(after.find((c) => c.method === 'POST' && c.url === '/v1/deployments')?.body).toMatchObject({
      revisionId: NEW,
    });
  });
});
