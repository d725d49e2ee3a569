import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, reply, stubApi, stubApiCalls } from '../../../test-support/fake-api';
import { makeInstance, makeRevision } from '../../../test-support/fixtures';
import { renderPage } from '../../../test-support/render';
import { InstancesPage, Runs } from './instances-page';

const REV_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const REV_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const REV_GONE = 'cccccccc-0000-4000-8000-000000000003';

const installed = (applicationName: string, revisionId: string, deploymentId: string) => ({
  applicationName,
  deploymentGroupName: 'prod',
  deploymentGroupId: `group-${applicationName}`,
  revisionId,
  deploymentId,
  installedAt: '2026-08-14T11:30:00.000Z',
});

const fleet = [
  makeInstance('web-1', {
    installedRevisions: [installed('shop', REV_A, 'd-SHOP00001'), installed('billing', REV_B, 'd-BILL00001')],
  }),
  makeInstance('web-2', { online: false, installedRevisions: [installed('shop', REV_GONE, 'd-SHOP00000')] }),
  makeInstance('web-3'),
];

// happy-dom does no layout; give the fleet table's scroll viewport a laptop-sized box so the virtualiser has a window.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterAll(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

function stubFleet() {
  return stubApi({
    '/v1/instances': { items: fleet, nextCursor: null },
    '/v1/instances/web-1': fleet[0],
    [`/v1/applications/shop/revisions/${REV_A}`]: makeRevision(REV_A, 'a1', { description: 'release 7' }),
    [`/v1/applications/billing/revisions/${REV_B}`]: makeRevision(REV_B, 'b2', { applicationName: 'billing' }),
  });
}

const rowOf = (name: string) => screen.getByRole('button', { name }).closest('[role="row"]') as HTMLElement;

describe('fleet inventory', () => {
  it('shows which revision of which application each host runs', async () => {
    const asked = stubFleet();
    renderPage('/instances', '/instances', <InstancesPage />);
    const web1 = await waitFor(() => rowOf('web-1'));
    await waitFor(() => expect(web1.textContent).toContain('a1a1a1a1a1a1'));
    expect(web1.textContent).toContain('shop a1a1a1a1a1a1');
    expect(web1.textContent).toContain('billing b2b2b2b2b2b2');
    expect(within(web1).getByRole('link', { name: 'shop' }).getAttribute('href')).toBe(
      '/applications/shop/groups/prod',
    );
    // A revision the API no longer knows: the start of its id stands in.
    expect(rowOf('web-2').textContent).toContain('shop cccccccc');
    expect(rowOf('web-3').textContent).toContain('nothing deployed');
    // One read per distinct revision, none per host.
    const revisionReads = asked.filter((u) => u.includes('/revisions/'));
    expect(new Set(revisionReads).size).toBe(revisionReads.length);
    expect(revisionReads).toHaveLength(3);
    expect(asked.filter((u) => u.startsWith('/v1/instances/'))).toEqual([]);
  });

  it('tells a new user the one-line install for this server and where to get its token', async () => {
    stubApi({ '/v1/instances': { items: [], nextCursor: null } });
    renderPage('/instances', '/instances', <InstancesPage />);
    const empty = await screen.findByText(/No hosts have registered yet/);
    const box = empty.closest('section, div') as HTMLElement;
    expect(box.textContent).toContain(`curl -fsSL ${window.location.origin}/install.sh | sudo sh -s -- --token drr_…`);
    expect(within(box).getByRole('link', { name: 'agent registration token' }).getAttribute('href')).toBe(
      '/settings/registration-tokens',
    );
  });

  it('marks hosts whose agent is not the version this server hands out', async () => {
    stubApi({
      '/v1/instances': {
        items: [makeInstance('old-1', { agentVersion: '0.1.0' }), makeInstance('new-1', { agentVersion: '0.2.0' })],
        nextCursor: null,
      },
      '/agent/download': { installCommand: 'curl …', version: '0.2.0', artefacts: [] },
    });
    renderPage('/instances', '/instances', <InstancesPage />);
    await waitFor(() => expect(rowOf('old-1').textContent).toContain('0.1.0 outdated'));
    expect(within(rowOf('old-1')).getByText('outdated').closest('[title]')?.getAttribute('title')).toBe(
      "This server's agent is 0.2.0: an admin upgrades it with Upgrade outdated agents",
    );
    expect(rowOf('new-1').textContent).toContain('0.2.0');
    expect(rowOf('new-1').textContent).not.toContain('outdated');
  });

  it('lets an admin upgrade the outdated agents and follows the upgrade host by host', async () => {
    const user = userEvent.setup();
    const upgrade = (status: 'Pending' | 'Succeeded') => ({
      upgradeId: '6f0c0000-0000-4000-8000-000000000001',
      targetVersion: '0.2.0',
      status: status === 'Pending' ? 'InProgress' : 'Succeeded',
      createdAt: '2026-08-14T12:00:00.000Z',
      createdBy: 'user:admin@example.test',
      counts: {
        pending: status === 'Pending' ? 2 : 0,
        sent: 0,
        succeeded: status === 'Pending' ? 0 : 2,
        failed: 0,
      },
      targets: ['old-1', 'old-2'].map((n) => ({
        instanceId: `inst-${n}`,
        instanceName: n,
        fromVersion: '0.1.0',
        status,
        attempts: status === 'Pending' ? 0 : 1,
        message: null,
        sentAt: null,
        endedAt: null,
      })),
    });
    let upgraded = false;
    const calls = stubApiCalls({
      '/v1/instances': {
        items: [
          makeInstance('old-1', { agentVersion: '0.1.0' }),
          makeInstance('old-2', { agentVersion: null }),
          makeInstance('new-1', { agentVersion: '0.2.0' }),
          makeInstance('gone', { agentVersion: '0.1.0', registrationStatus: 'Deregistered', online: false }),
        ],
        nextCursor: null,
      },
      '/agent/download': { installCommand: 'curl …', version: '0.2.0', artefacts: [] },
      'GET /v1/agent-upgrades': () => ({ items: upgraded ? [upgrade('Pending')] : [], nextCursor: null }),
      'POST /v1/agent-upgrades': () => {
        upgraded = true;
        return reply(201, { ...upgrade('Pending'), alreadyCurrent: [] });
      },
    });
    renderPage('/instances', '/instances', <InstancesPage />, 'admin');
    // Deregistered hosts and hosts on the server's version are not counted.
    await user.click(await screen.findByRole('button', { name: 'Upgrade 2 outdated agents' }));
    const dialog = screen.getByRole('dialog', { name: 'Upgrade agents to 0.2.0?' });
    expect(dialog.textContent).toContain('old-1, old-2 run an older agent');
    expect(dialog.textContent).toContain('no lifecycle event is interrupted');
    await user.click(within(dialog).getByRole('button', { name: 'Upgrade agents' }));
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', url: '/v1/agent-upgrades', body: { allOutdated: true } },
    ]);
    const panel = await screen.findByRole('region', { name: 'Agent upgrade' });
    await waitFor(() => expect(panel.textContent).toContain('Upgrading agents to 0.2.0: 0 of 2 done'));
    const hosts = within(panel).getAllByRole('row').slice(1);
    expect(hosts.map((r) => r.textContent)).toEqual([
      'old-10.1.0waiting for the agent',
      'old-20.1.0waiting for the agent',
    ]);
  });

  it('shows why an upgrade was refused', async () => {
    const user = userEvent.setup();
    stubApi({
      '/v1/instances': { items: [makeInstance('old-1', { agentVersion: '0.1.0' })], nextCursor: null },
      '/agent/download': { installCommand: 'curl …', version: '0.2.0', artefacts: [] },
      'GET /v1/agent-upgrades': { items: [], nextCursor: null },
      'POST /v1/agent-upgrades': reply(
        409,
        apiError('InstancesBusy', 'old-1 is running a lifecycle event; an agent is upgraded only between events'),
      ),
    });
    renderPage('/instances', '/instances', <InstancesPage />, 'admin');
    await user.click(await screen.findByRole('button', { name: 'Upgrade 1 outdated agent' }));
    const dialog = screen.getByRole('dialog', { name: 'Upgrade agents to 0.2.0?' });
    await user.click(within(dialog).getByRole('button', { name: 'Upgrade agents' }));
    await waitFor(() => expect(dialog.textContent).toContain('old-1 is running a lifecycle event'));
  });

  it('offers no upgrade button to a deployer', async () => {
    stubApi({
      '/v1/instances': { items: [makeInstance('old-1', { agentVersion: '0.1.0' })], nextCursor: null },
      '/agent/download': { installCommand: 'curl …', version: '0.2.0', artefacts: [] },
      'GET /v1/agent-upgrades': { items: [], nextCursor: null },
    });
    renderPage('/instances', '/instances', <InstancesPage />, 'deployer');
    await waitFor(() => expect(rowOf('old-1').textContent).toContain('0.1.0 outdated'));
    expect(screen.queryByRole('button', { name: /outdated agent/ })).toBeNull();
  });

  it('finds hosts by the application they run', async () => {
    const user = userEvent.setup();
    stubFleet();
    renderPage('/instances', '/instances', <InstancesPage />);
    await waitFor(() => rowOf('web-3'));
    await user.type(screen.getByRole('searchbox', { name: /application/ }), 'billing');
    expect(screen.getByRole('button', { name: 'web-1' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'web-2' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'web-3' })).toBeNull();
  });

  it('lists what a host runs per group in its details, with the deployment linked', async () => {
    const user = userEvent.setup();
    stubFleet();
    renderPage('/instances', '/instances', <InstancesPage />);
    await user.click(await screen.findByRole('button', { name: 'web-1' }));
    const dialog = screen.getByRole('dialog', { name: 'web-1' });
    const table = await within(dialog).findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['shop / prod', 'billing / prod']);
    await waitFor(() => expect(rows[0]?.textContent).toContain('a1a1a1a1a1a1'));
    expect(rows[0]?.textContent).toContain('release 7');
    expect(within(rows[0]!).getByRole('link', { name: 'd-SHOP00001' }).getAttribute('href')).toBe(
      '/deployments/d-SHOP00001',
    );
  });
});

describe('Runs', () => {
  it('says when nothing was ever deployed to a host', () => {
    const { container } = render(<Runs installed={[]} revisions={new Map()} />);
    expect(container.textContent).toBe('nothing deployed');
  });
});
