// The console end to end, on a real stack with real agents: log in, create an application and a group, upload a
// bundle, preview the plan, deploy and watch it go green, read a hook's log, stop a running deployment, and roll
// back a failed one. Screenshots of the deployment page go to docs/screenshots/ for the README.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  buildBundle,
  grid,
  createApplication,
  createGroup,
  deployBundle,
  ensureApplication,
  E2E,
  headerStatus,
  logIn,
  SCREENSHOTS,
  uniqueName,
} from './support';

test.describe.configure({ mode: 'serial' });

const app = uniqueName('e2e-shop');

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

test('deploys a bundle and shows every host turning green, with live hook logs', async ({ page }) => {
  await createApplication(page, app);
  await createGroup(page, app, 'fleet', 'HalfAtATime');
  const marker = uniqueName('v1');
  const id = await deployBundle(page, app, 'fleet', buildBundle('ok', marker), marker);

  await expect(page.getByRole('grid', { name: 'Hosts by lifecycle event' })).toBeVisible();
  await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });
  await expect(grid(page).locator('.cell-failed')).toHaveCount(0);
  expect(await grid(page).locator('.cell-succeeded').count()).toBeGreaterThanOrEqual(E2E.minHosts * 4);
  await expect(page.locator('.stat-succeeded .stat-value')).not.toHaveText('0');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'deployment-succeeded.png'), fullPage: true });

  // A hook's full log, opened from its cell.
  await page
    .getByRole('button', { name: /· ApplicationStart: succeeded/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Lifecycle event log' });
  await expect(dialog.locator('pre.log-view')).toContainText(`starting ${marker}`);
  await expect(dialog).toContainText('Complete.');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'hook-log.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  // The open log is linkable; closing it removes it from the URL.
  await expect(page).toHaveURL(new RegExp(`/deployments/${id}$`));

  // The group now shows which revision each host runs.
  await page.getByRole('link', { name: 'fleet' }).first().click();
  await expect(page.getByRole('heading', { name: /Hosts targeted now/ })).toBeVisible();
  await expect(page.getByRole('link', { name: id }).first()).toBeVisible();
});

test('stops a running deployment', async ({ page }) => {
  await ensureApplication(page, app);
  await createGroup(page, app, 'slow', 'OneAtATime');
  const marker = uniqueName('slow');
  await deployBundle(page, app, 'slow', buildBundle('slow', marker), marker);

  // Wait until the slow hook is running (live, from the event stream), then stop.
  await expect(grid(page).getByRole('button', { name: /· ApplicationStart: running/ })).toBeVisible({
    timeout: E2E.deployTimeoutMs,
  });
  await expect(headerStatus(page)).toHaveText('In progress');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'deployment-running.png'), fullPage: true });
  // The running hook's log tails live: its first line is there while the script still sleeps.
  await grid(page)
    .getByRole('button', { name: /· ApplicationStart: running/ })
    .click();
  const log = page.getByRole('dialog', { name: 'Lifecycle event log' });
  await expect(log.locator('pre.log-view')).toContainText(`starting ${marker} slowly`);
  await expect(log).not.toContainText('Complete.');
  await log.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Stop this deployment?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Stop deployment' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText('Stop requested')).toBeVisible();
  await expect(headerStatus(page)).toHaveText('Stopped', { timeout: E2E.deployTimeoutMs });
  // The running hook was let finish; hosts that were never reached are skipped; nothing is stoppable any more.
  await expect(grid(page).getByRole('button', { name: /· ApplicationStart: succeeded/ })).toHaveCount(1);
  await expect(grid(page).locator('.cell-skipped').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'deployment-stopped.png'), fullPage: true });
});

test('shows why a deployment failed and rolls it back', async ({ page }) => {
  await ensureApplication(page, app);
  // A good revision first, so there is something to roll back to.
  await createGroup(page, app, 'canary', 'AllAtOnce');
  const good = uniqueName('good');
  await deployBundle(page, app, 'canary', buildBundle('ok', good), good);
  await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });

  const bad = uniqueName('bad');
  const failedId = await deployBundle(page, app, 'canary', buildBundle('fail', bad), bad);
  await expect(headerStatus(page)).toHaveText('Failed', { timeout: E2E.deployTimeoutMs });
  await expect(grid(page).locator('.cell-failed').first()).toBeVisible();

  // The failed hook's diagnostics and output.
  await page
    .getByRole('button', { name: /· BeforeInstall: failed/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Lifecycle event log' });
  await expect(dialog.getByRole('alert')).toContainText('ScriptFailed');
  await expect(dialog.getByRole('alert')).toContainText('scripts/install.sh');
  await expect(dialog.locator('pre.log-view').first()).toContainText('broken on purpose');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'deployment-failed-log.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'Roll back', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Roll back this deployment?' })
    .getByRole('button', { name: 'Roll back' })
    .click();
  // The console follows to the new rollback deployment, which links back to the failed one.
  await expect(page).not.toHaveURL(new RegExp(`/deployments/${failedId}$`));
  await expect(page.getByText('This is a rollback of')).toBeVisible();
  await expect(page.getByRole('link', { name: failedId })).toBeVisible();
  await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'rollback-succeeded.png'), fullPage: true });

  await page.getByRole('link', { name: failedId }).click();
  await expect(page.getByText('Rolled back by')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Roll back', exact: true })).toBeDisabled();
});

test('keeps the session honest: logging out sends you to the log-in page', async ({ page }) => {
  await page.goto('/instances');
  await expect(page.getByRole('heading', { level: 1, name: 'Instances' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/deployments');
  await expect(page).toHaveURL(/\/login\?next=%2Fdeployments/);
});
