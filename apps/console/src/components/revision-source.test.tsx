// Where a revision came from, as the revision table and the deployment page show it.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RevisionSource, repositoryName } from './revision-source';

afterEach(cleanup);

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('RevisionSource', () => {
  it('shows a Git commit linked to the forge, with its branch and subdirectory', () => {
    render(
      <RevisionSource
        revision={{
          revisionType: 'Git',
          url: null,
          source: {
            type: 'Git',
            repositoryUrl: 'git@github.com:acme/web.git',
            commit: SHA,
            ref: 'main',
            path: 'deploy',
            secretName: 'acme',
            commitUrl: `https://github.com/acme/web/commit/${SHA}`,
          },
        }}
      />,
    );
    const link = screen.getByRole('link', { name: SHA.slice(0, 12) });
    expect(link.getAttribute('href')).toBe(`https://github.com/acme/web/commit/${SHA}`);
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(screen.getByText('acme/web')).toBeTruthy();
    expect(screen.getByText('/deploy')).toBeTruthy();
    expect(screen.getByText('(main)')).toBeTruthy();
  });

  it('shows a commit without a link when the host is not a known forge', () => {
    render(
      <RevisionSource
        revision={{
          revisionType: 'Git',
          url: null,
          source: {
            type: 'Git',
            repositoryUrl: 'http://10.0.0.5/site.git',
            commit: SHA,
            ref: null,
            path: null,
            secretName: null,
            commitUrl: null,
          },
        }}
      />,
    );
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.getByText(SHA.slice(0, 12))).toBeTruthy();
  });

  it('shows an S3 object with its version and ETag', () => {
    render(
      <RevisionSource
        revision={{
          revisionType: 'S3',
          url: null,
          source: {
            type: 'S3',
            bucket: 'releases',
            key: 'web/1.4.2.tgz',
            versionId: 'v-7',
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            endpoint: 'https://minio.internal',
            secretName: 'minio',
          },
        }}
      />,
    );
    expect(screen.getByText('releases/web/1.4.2.tgz')).toBeTruthy();
    expect(screen.getByText(/version v-7/)).toBeTruthy();
    expect(screen.getByText('d41d8cd98f00')).toBeTruthy();
  });

  it('shows a URL revision’s URL and an upload as such', () => {
    const { unmount } = render(
      <RevisionSource revision={{ revisionType: 'Url', url: 'https://cdn.example/b.tgz', source: null }} />,
    );
    expect(screen.getByText('https://cdn.example/b.tgz')).toBeTruthy();
    unmount();
    render(<RevisionSource revision={{ revisionType: 'Upload', url: null, source: null }} />);
    expect(screen.getByText('Upload')).toBeTruthy();
  });

  it('names repositories as people do', () => {
    expect(repositoryName('https://github.com/acme/web.git')).toBe('acme/web');
    expect(repositoryName('git@gitlab.com:group/sub/web.git')).toBe('group/sub/web');
    expect(repositoryName('ssh://git@host:2222/ops/web')).toBe('ops/web');
  });
});
