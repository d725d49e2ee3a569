import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeDeployment } from '../../test-support/fixtures';
import { RevisionLabel } from './revision-label';

describe('RevisionLabel', () => {
  const { revision } = makeDeployment({
    revision: {
      revisionId: '33333333-3333-4333-8333-333333333333',
      sha256: 'f00d'.repeat(16),
      bundleType: 'tgz',
      description: 'release 42',
    },
  });

  it('shows the short SHA-256 with the whole hash on hover, and the description under it', () => {
    const { container } = render(<RevisionLabel revisionId={revision.revisionId} revision={revision} />);
    const sha = container.querySelector('.mono');
    expect(sha?.textContent).toBe('f00df00df00d');
    expect(sha?.getAttribute('title')).toBe(`${'f00d'.repeat(16)}\nrelease 42`);
    expect(container.textContent).toContain('release 42');
  });

  it('leaves the description to the hover text on one-line rows', () => {
    const { container } = render(
      <RevisionLabel revisionId={revision.revisionId} revision={revision} withDescription={false} />,
    );
    expect(container.textContent).toBe('f00df00df00d');
  });

  it('falls back to the start of the id while the revision is unknown', () => {
    const { container } = render(<RevisionLabel revisionId={revision.revisionId} revision={undefined} />);
    expect(container.textContent).toBe('33333333');
    expect(container.querySelector('.mono')?.getAttribute('title')).toBe(`revision ${revision.revisionId}`);
  });
});
