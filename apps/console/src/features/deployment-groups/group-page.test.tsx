import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test-support/fake-api';
import { makeDeployment, makeGroup, makeRevision } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { GroupPage } from './group-page';

const CURRENT = 'aaaaaaaa-0000-4000-8000-000000000001';
const OLD = 'bbbbbbbb-0000-4000-8000-000000000002';

const host = (name: string, revisionId: string | null, online = true) => ({
  instanceId: `inst-${name}`,
  instanceName: name,
  online,
  lastSeenAt: '2026-08-14T12:00:00.000Z',
  installedRevision: revisionId
    ? {
        revisionId,
        deploymentId: revisionId === CURRENT ? 'd-GOOD00001' : 'd-OLD000001',
        installedAt: '2026-08-14T11:00:00.000Z',
      }
    : null,
});

const lastGood = makeDeployment({
  deploymentId: 'd-GOOD00001',
  status: 'Succeeded',
  revision: { revisionId: CURRENT, sha256: 'a1'.repeat(32), bundleType: 'tgz', description: 'release 7' },
});

afterEach(() => vi.unstubAllGlobals());

describe('deployment group: hosts targeted now', () => {
  it("shows each host's revision for this group, marks the outdated ones and links the installing deployment", async () => {
    const asked = stubApi({
      '/v1/applications/shop/deployment-groups/prod': makeGroup({
        lastSuccessfulDeployment: {
          deploymentId: 'd-GOOD00001',
          status: 'Succeeded',
          createTime: '2026-08-14T10:59:00.000Z',
          endTime: '2026-08-14T11:01:00.000Z',
        },
        instances: [host('web-1', CURRENT), host('web-2', OLD, false), host('web-3', null)],
      }),
      '/v1/deployments/d-GOOD00001': lastGood,
      '/v1/deployments': { items: [lastGood], nextCursor: null },
      [`/v1/applications/shop/revisions/${CURRENT}`]: makeRevision(CURRENT, 'a1', { description: 'release 7' }),
      [`/v1/applications/shop/revisions/${OLD}`]: makeRevision(OLD, 'b2', { description: 'release 6' }),
    });
    renderPage('/applications/:appName/groups/:groupName', '/applications/shop/groups/prod', <GroupPage />);
    const section = (await screen.findByRole('heading', { name: /Hosts targeted now/ })).closest('section')!;
    expect(section.textContent).toContain('(3 · 2 online)');
    await waitFor(() => expect(section.textContent).toContain('Current revision: a1a1a1a1a1a1'));

    const table = within(section).getByRole('table');
    const row = (name: string) => within(table).getByText(name).closest('tr')!;
    await waitFor(() => expect(row('web-2').textContent).toContain('b2b2b2b2b2b2'));
    expect(row('web-2').textContent).toContain('release 6');
    expect(row('web-2').textContent).toContain('outdated');
    expect(row('web-2').textContent).toContain('offline');
    expect(row('web-1').textContent).toContain('a1a1a1a1a1a1');
    expect(row('web-1').textContent).not.toContain('outdated');
    expect(row('web-3').textContent).toContain('never deployed');
    expect(within(row('web-2')).getByRole('link', { name: 'd-OLD000001' }).getAttribute('href')).toBe(
      '/deployments/d-OLD000001',
    );
    // Revisions are read by id (so older ones resolve too), not by listing the application's newest 100.
    expect(asked.some((u) => u.startsWith('/v1/applications/shop/revisions?'))).toBe(false);
  });

  it('says why nothing is marked outdated before the first successful deployment', async () => {
    stubApi({
      '/v1/applications/shop/deployment-groups/prod': makeGroup({ instances: [host('web-1', null)] }),
      '/v1/deployments': { items: [], nextCursor: null },
    });
    renderPage('/applications/:appName/groups/:groupName', '/applications/shop/groups/prod', <GroupPage />);
    expect(await screen.findByText('No successful deployment yet, so no host is marked outdated.')).toBeTruthy();
    expect(await screen.findByText('This group has never been deployed to.')).toBeTruthy();
  });
});
