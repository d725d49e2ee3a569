// Blue/green in the console, end to end: a real HAProxy (Debian's) in front of one tiny HTTP server per e2e host, made
// a Drover load balancer through the Load balancers page; a blue/green group that waits in Ready (STOP_DEPLOYMENT);
// a deployment whose replacement is one host. The deployment page shows both environments, where traffic is and
// the balancer's view of each host; "Reroute traffic" (confirmed) moves traffic, and the originals leave the balancer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { startHaproxy, startHttpBackend, type HaproxyProcess, type HttpBackend } from '@drover/traffic/test-support';
import { buildBundle, createApplication, E2E, headerStatus, logIn, SCREENSHOTS, uniqueName } from './support';

/** The session's CSRF token, which every write with the session cookie needs. */
async function csrf(request: APIRequestContext): Promise<string> {
  const res = await request.get('/v1/auth/me');
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

async function post<T>(page: Page, url: string, data: unknown, status = 201): Promise<T> {
  const res = await page.request.post(url, {
    data: data as Record<string, unknown>,
    headers: { 'x-csrf-token': await csrf(page.request) },
  });
  expect(res.status(), `${url}: ${await res.text()}`).toBe(status);
  return (await res.json()) as T;
}

/** The e2e hosts online now, by name (the harness starts web-1…web-N). */
async function onlineHosts(page: Page): Promise<string[]> {
  const res = await page.request.get(`/v1/instances?tag=${encodeURIComponent(E2E.tag)}&status=online&limit=100`);
  expect(res.status()).toBe(200);
  const { items } = (await res.json()) as { items: { instanceName: string }[] };
  return items.map((i) => i.instanceName).sort();
}

const gridOf = (page: Page, side: 'Original' | 'Replacement') =>
  page.getByRole('grid', { name: `${side} hosts by lifecycle event` });
const rowOf = (page: Page, side: 'Original' | 'Replacement', host: string) =>
  gridOf(page, side)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: host, exact: true }) });

test('reroutes a blue/green deployment waiting in Ready, watching the balancer', async ({ page }) => {
  await logIn(page);
  const hosts = await onlineHosts(page);
  expect(hosts.length).toBeGreaterThanOrEqual(2);
  const replacement = hosts[hosts.length - 1] ?? '';
  const originals = hosts.slice(0, -1);

  // One HTTP server per host behind a real HAProxy: backend `web`, a server named like each host.
  const backends: HttpBackend[] = [];
  let haproxy: HaproxyProcess | undefined;
  try {
    for (const name of hosts) backends.push(await startHttpBackend({ name }));
    haproxy = await startHaproxy({
      backends: [{ name: 'web', servers: backends.map((b) => ({ name: b.name, address: b.address })) }],
    });

    // The balancer, created on the Load balancers page; its details read the servers live.
    const lb = uniqueName('edge');
    await page.goto('/load-balancers');
    await page.getByRole('button', { name: 'Create load balancer' }).click();
    const create = page.getByRole('dialog', { name: 'Create load balancer' });
    await create.getByLabel('Name', { exact: true }).fill(lb);
    await create.getByLabel('Runtime API socket', { exact: true }).fill(haproxy.socket);
    await create.getByLabel('Backends', { exact: true }).fill('web');
    await create.getByRole('button', { name: 'Create load balancer' }).click();
    await expect(page).toHaveURL(new RegExp(`/load-balancers/${lb}$`));
    const servers = page.getByRole('table', { name: 'Servers as the balancer reports them' });
    for (const name of hosts)
      await expect(servers.getByRole('row').filter({ hasText: name }).first()).toContainText('UP');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'load-balancer.png'), fullPage: true });

    // A blue/green group that waits in Ready for someone to reroute, and keeps its originals.
    const app = uniqueName('e2e-bg');
    await createApplication(page, app);
    const [key, value] = E2E.tag.split('=');
    await post(page, `/v1/applications/${app}/deployment-groups`, {
      deploymentGroupName: 'bluegreen',
      deploymentConfigName: 'AllAtOnce',
      tagFilters: [{ key, value, type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: `${lb}/web` }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
      },
    });
    const marker = uniqueName('bg');
    const upload = await page.request.post(
      `/v1/applications/${app}/revisions?bundleType=tgz&description=${encodeURIComponent(marker)}`,
      {
        data: readFileSync(buildBundle('ok', marker)),
        headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': await csrf(page.request) },
      },
    );
    expect(upload.status(), await upload.text()).toBe(201);
    const { revisionId } = (await upload.json()) as { revisionId: string };
    const { deploymentId } = await post<{ deploymentId: string }>(page, '/v1/deployments', {
      applicationName: app,
      deploymentGroupName: 'bluegreen',
      revisionId,
      targetInstances: { instanceNames: [replacement] },
    });

    // Ready: the replacement is installed, traffic is still on the originals, the wait counts down.
    await page.goto(`/deployments/${deploymentId}`);
    await expect(gridOf(page, 'Original')).toBeVisible();
    await expect(gridOf(page, 'Replacement')).toBeVisible();
    for (const name of originals) await expect(rowOf(page, 'Original', name)).toBeVisible();
    await expect(rowOf(page, 'Replacement', replacement)).toBeVisible();
    await expect(headerStatus(page)).toHaveText('Ready', { timeout: E2E.deployTimeoutMs });
    await expect(page.getByText('Traffic: original hosts')).toBeVisible();
    const wait = page.getByRole('group', { name: /Ready: the replacement hosts are installed/ });
    await expect(wait.getByRole('timer')).toHaveText(/\d+ m \d\d s/);
    await expect(wait).toContainText('the deployment stops and traffic stays on the original hosts');
    // The balancer's view of each host, next to it.
    for (const name of originals) await expect(rowOf(page, 'Original', name)).toContainText(/UP|no check/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'blue-green-ready.png'), fullPage: true });

    await wait.getByRole('button', { name: 'Reroute traffic' }).click();
    const confirm = page.getByRole('dialog', { name: 'Reroute traffic to the replacement hosts?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Reroute traffic' }).click();
    await expect(confirm).toBeHidden();

    // Traffic moves to the replacement; the originals are blocked (MAINT in HAProxy) and the deployment succeeds.
    await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });
    await expect(page.getByText('Traffic: replacement hosts')).toBeVisible();
    await expect(wait).toBeHidden();
    for (const name of originals) await expect(rowOf(page, 'Original', name)).toContainText('MAINT');
    await expect(rowOf(page, 'Replacement', replacement)).toContainText('UP');
    await expect(
      gridOf(page, 'Replacement').getByRole('button', { name: new RegExp(`${replacement} · AllowTraffic: succeeded`) }),
    ).toBeVisible();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'blue-green-rerouted.png'), fullPage: true });
  } finally {
    await haproxy?.stop();
    await Promise.all(backends.map((b) => b.close()));
  }
});
