// The Register hosts dialog: creating a token shows the exact install line for this server with the token filled in,
// and its copy button puts that line on the clipboard.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApiCalls } from '../../../test-support/fake-api';
import { renderPage } from '../../../test-support/render';
import { installLine, RegistrationTokens } from './registration-tokens';

afterEach(() => vi.unstubAllGlobals());

const TOKEN = 'drr_0123456789abcdefghijklmnopqrstuvwxyz';

const created = {
  id: 'tok-1',
  name: 'prod web',
  prefix: 'drr_012345',
  tags: [{ key: 'env', value: 'prod' }],
  allowExtraTags: false,
  namePattern: null,
  maxUses: null,
  usedCount: 0,
  createdBy: null,
  createdAt: '2026-12-03T08:00:00.000Z',
  expiresAt: '2026-12-04T08:00:00.000Z',
  revokedAt: null,
  token: TOKEN,
};

describe('Register hosts', () => {
  it('shows the install line for this server with the new token, and copies it', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const calls = stubApiCalls({
      'GET /v1/registration-tokens': { items: [], nextCursor: null },
      'POST /v1/registration-tokens': created,
    });
    renderPage('/settings/registration-tokens', '/settings/registration-tokens', <RegistrationTokens />, 'admin');
    await user.type(await screen.findByLabelText('Name'), 'prod web');
    await user.type(screen.getByLabelText(/^Tags/), 'env=prod');
    await user.type(screen.getByLabelText(/^Host names/), 'web-*');
    await user.click(screen.getByRole('button', { name: 'Create registration token' }));

    const line = `curl -fsSL ${window.location.origin}/install.sh | sudo sh -s -- --token ${TOKEN}`;
    expect(installLine(window.location.origin, TOKEN)).toBe(line);
    const code = await screen.findByText(line);
    expect(code.tagName).toBe('CODE');
    const box = code.closest('.secret-box') as HTMLElement;
    await user.click(within(box).getByRole('button', { name: 'Copy install command' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(line));
    expect(within(box).getByRole('button', { name: 'Copy install command' }).textContent).toBe('Copied');
    // The token's tags are named (the hosts get them), and the old hand-written config is gone.
    expect(document.body.textContent).toContain("with this token's tags (env=prod)");
    expect(document.body.textContent).not.toContain('registrationToken:');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'prod web',
      tags: created.tags,
      allowExtraTags: false,
      namePattern: 'web-*',
      expiresInHours: 24,
    });
    expect(document.body.textContent).toContain('--tag key=value for tags of its own (not allowed by this token)');
  });
});
