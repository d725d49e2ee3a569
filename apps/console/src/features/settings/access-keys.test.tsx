// Settings → Access keys: creating one shows the id, the secret once and the endpoint to use; the list shows keys
// without secrets; revoking asks first and sends the DELETE.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reply, stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { AccessKeys, codeDeployEndpoint } from './access-keys';

afterEach(() => vi.unstubAllGlobals());

const key = {
  id: 'k-1',
  accessKeyId: 'DRVKABCDEFGHIJKLMNOP',
  name: 'pipeline',
  role: 'viewer',
  owner: { id: 'u-1', email: 'ops@example.test' },
  apiTokenId: null,
  createdAt: '2026-12-03T08:00:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
};
const SECRET = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';

describe('Access keys', () => {
  it('creates a key and shows its id, its secret once, and the endpoint', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/access-keys': { items: [], nextCursor: null },
      'POST /v1/access-keys': { ...key, secretAccessKey: SECRET },
    });
    renderPage('/settings/access-keys', '/settings/access-keys', <AccessKeys />, 'deployer');
    expect(await screen.findByText('No access keys.')).toBeTruthy();
    await user.type(screen.getByLabelText('Name'), 'pipeline');
    await user.selectOptions(screen.getByLabelText('Role'), 'viewer');
    // A deployer cannot pick admin.
    expect(within(screen.getByLabelText('Role')).queryByText('admin')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create access key' }));

    const secret = await screen.findByText(SECRET);
    expect(secret.tagName).toBe('CODE');
    expect(screen.getByText('DRVKABCDEFGHIJKLMNOP').tagName).toBe('CODE');
    expect(document.body.textContent).toContain('shown only once');
    expect(document.body.textContent).toContain(`--endpoint-url ${codeDeployEndpoint(window.location.origin)}`);
    expect(codeDeployEndpoint('https://drover.example')).toBe('https://drover.example/aws/codedeploy');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'pipeline', role: 'viewer' });
    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByText(SECRET)).toBeNull());
  });

  it('lists keys and revokes one after confirming', async () => {
    const user = userEvent.setup();
    const calls = stubApiCalls({
      'GET /v1/access-keys': { items: [key], nextCursor: null },
      'DELETE /v1/access-keys/DRVKABCDEFGHIJKLMNOP': reply(204),
    });
    renderPage('/settings/access-keys', '/settings/access-keys', <AccessKeys />, 'deployer');
    const row = (await screen.findByText('DRVKABCDEFGHIJKLMNOP')).closest('tr') as HTMLElement;
    expect(within(row).getByText('ops@example.test')).toBeTruthy();
    expect(within(row).getByText('active')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Revoke access key pipeline' }));
    await user.click(await screen.findByRole('button', { name: 'Revoke access key' }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'DELETE' && c.url.endsWith('/v1/access-keys/DRVKABCDEFGHIJKLMNOP'))).toBe(
        true,
      ),
    );
  });
});
