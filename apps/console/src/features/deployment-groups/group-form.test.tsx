// The group form previews the registered hosts its filters select as they are typed, and a refused filter is
// highlighted on its own row (the API counts only the rows it was sent), once.
import { toApiError } from '@drover/client';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeInstance } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { GroupForm } from './group-form';
import { EMPTY_GROUP_FORM } from './group-form-model';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const FLEET = {
  items: [
    makeInstance('web-1', { tags: [{ key: 'env', value: 'prod' }] }),
    makeInstance('web-2', { tags: [{ key: 'env', value: 'prod' }], online: false }),
    makeInstance('db-1', { tags: [{ key: 'env', value: 'staging' }] }),
  ],
  nextCursor: null,
};

function renderForm(error: unknown = null, initial = EMPTY_GROUP_FORM) {
  stubApi({ '/v1/instances': FLEET, '/v1/deployment-configs': { items: [], nextCursor: null } });
  renderPage(
    '/',
    '/',
    <GroupForm
      initial={initial}
      submitLabel="Create group"
      pending={false}
      error={error}
      onSubmit={() => undefined}
      onCancel={() => undefined}
    />,
    'deployer',
  );
}

describe('GroupForm', () => {
  it('shows how many registered hosts the filters match while typing', async () => {
    const user = userEvent.setup();
    renderForm();
    const matching = await screen.findByRole('status', { name: 'Matching hosts' });
    expect(matching.textContent).toBe('No registered host matches yet.');
    await user.type(screen.getByLabelText('Filter 1 key'), 'env');
    await user.type(screen.getByLabelText('Filter 1 value'), 'prod');
    expect(matching.textContent).toBe('Matches 2 registered hosts (1 online): web-1, web-2');
    await user.type(screen.getByLabelText(/Hosts by name/), 'db-1');
    expect(matching.textContent).toBe('Matches 3 registered hosts (2 online): web-1, web-2, db-1');
  });

  it('highlights the refused filter row and says it once', () => {
    const error = toApiError(400, {
      error: {
        code: 'InvalidTagFilter',
        message: 'body.tagFilters.0.key: required for KEY_AND_VALUE',
        details: { issues: [{ field: 'body.tagFilters.0.key', reason: 'required for KEY_AND_VALUE' }] },
      },
    });
    // A blank first row is not sent, so the API's filter 0 is the form's second row.
    renderForm(error, {
      ...EMPTY_GROUP_FORM,
      tagFilters: [
        { type: 'KEY_AND_VALUE', key: '', value: '' },
        { type: 'KEY_AND_VALUE', key: '', value: 'prod' },
      ],
    });
    expect(screen.getByLabelText('Filter 1 key').getAttribute('aria-invalid')).toBeNull();
    const key = screen.getByLabelText('Filter 2 key');
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByText(/required for KEY_AND_VALUE/)).toHaveLength(1);
    expect(screen.getByText('Filter 2: required for KEY_AND_VALUE').className).toBe('field-error');
    expect(within(screen.getByRole('alert')).getByText('Check the highlighted field.')).toBeTruthy();
  });
});
