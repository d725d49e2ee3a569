import { cleanup, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DroverNetworkError, toApiError } from '@drover/client';
import { Field, fieldError, FormError, formIssues, humanField, plainMessage } from './form';
import { ErrorState } from './states';

const invalid = toApiError(400, {
  error: {
    code: 'InvalidInput',
    message: 'The request is invalid.',
    details: {
      issues: [
        { field: 'applicationName', reason: 'use letters, digits and ._+=,@- only' },
        { field: 'tagFilters.0.key', reason: 'required for KEY_AND_VALUE' },
      ],
    },
  },
});

describe('field issues as a form names its fields', () => {
  it('reads the error envelope, without the body. prefix of field paths', () => {
    const e = toApiError(400, {
      error: {
        code: 'InvalidInput',
        message: 'deploymentGroupName: use letters, digits and ._+=,@- only',
        details: { issues: [{ field: 'body.deploymentGroupName', reason: 'use letters, digits and ._+=,@- only' }] },
        requestId: 'req-1',
      },
    });
    expect(e.code).toBe('InvalidInput');
    expect(e.status).toBe(400);
    expect(e.requestId).toBe('req-1');
    expect(formIssues(e)).toEqual([{ field: 'deploymentGroupName', reason: 'use letters, digits and ._+=,@- only' }]);
    expect(fieldError(e, 'deploymentGroupName')).toMatch(/letters/);
    expect(fieldError(e, 'other')).toBeUndefined();
  });

  it('has no field issues when details say nothing about fields, or the error is not an API answer', () => {
    expect(formIssues(toApiError(409, { error: { code: 'Conflict', message: 'x', details: { other: 1 } } }))).toEqual(
      [],
    );
    expect(formIssues(new Error('boom'))).toEqual([]);
  });
});

describe('field errors from the error envelope', () => {
  it('shows the reason under its field and marks the input invalid', () => {
    render(
      <Field label="Name" error={fieldError(invalid, 'applicationName')}>
        {(p) => <input {...p} />}
      </Field>,
    );
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const describedBy = input.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('use letters, digits and ._+=,@- only');
  });

  it('lists the message and only the issues no field claimed', () => {
    render(<FormError error={invalid} shownFields={['applicationName']} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The request is invalid.');
    expect(alert.textContent).toContain('Tag filters #1 key: required for KEY_AND_VALUE');
    expect(alert.textContent).not.toContain('use letters');
  });

  it('says an API message that only restates its field issues once: at the fields, or in words', () => {
    const restating = toApiError(400, {
      error: {
        code: 'InvalidInput',
        message: 'body.tagFilters.0.key: required for KEY_AND_VALUE',
        details: { issues: [{ field: 'body.tagFilters.0.key', reason: 'required for KEY_AND_VALUE' }] },
      },
    });
    render(<FormError error={restating} shownFields={['tagFilters.0.key']} />);
    expect(screen.getByRole('alert').textContent).toBe('Check the highlighted field.');
    cleanup();
    render(<FormError error={restating} />);
    expect(screen.getByRole('alert').textContent).toBe(
      'Some values were refused:Tag filters #1 key: required for KEY_AND_VALUE',
    );
    expect(humanField('querystring.bundleType')).toBe('Bundle type');
    expect(plainMessage('querystring.bundleType: declared zip but the bundle is a tar archive')).toBe(
      'Bundle type: declared zip but the bundle is a tar archive',
    );
  });

  it('renders nothing without an error', () => {
    const { container } = render(<FormError error={null} />);
    expect(container.textContent).toBe('');
  });
});

describe('ErrorState', () => {
  it('says what to do for each kind of failure', () => {
    render(
      <ErrorState
        error={new DroverNetworkError('/v1/applications', 'Could not reach the Drover API.')}
        onRetry={() => undefined}
      />,
    );
    expect(screen.getByRole('alert').textContent).toMatch(/Check that the API is running/);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('shows the request id of server errors', () => {
    render(
      <ErrorState
        error={toApiError(500, {
          error: { code: 'InternalError', message: 'Something went wrong', requestId: 'req-42' },
        })}
      />,
    );
    expect(screen.getByRole('alert').textContent).toMatch(/req-42/);
    expect(screen.getByRole('alert').textContent).toMatch(/API logs/);
  });
});
