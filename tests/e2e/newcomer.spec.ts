// A newcomer's first run (#22), end to end on the real stack: the deploy form sends out exactly the revision it
// names; a failure leads with its cause; a stop reads as stopped; the grid does not depend on colour; the phone
// layout has no sideways scrolling; and axe finds no serious or critical problem on any console page.
// Screenshots of a failed, a stopped and a succeeded deployment at 390, 1024 and 1400 px go to SCREENSHOTS.
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import {
  buildBundle,
  createGroup,
  deployBundle,
  ensureApplication,
  E2E,
  grid,
  headerStatus,
  logIn,
  SCREENSHOTS,
  uniqueName,
} from './support';

test.describe.configure({ mode: 'serial' });

const app = uniqueName('e2e-first-run');
const WIDTHS = [
  { name: '1400', width: 1400, height: 900 },
  { name: '1024', width: 1024, height: 768 },
  { name: '390', width: 390, height: 844 },
] as const;
let failedId = '';
let succeededId = '';
let stoppedId = '';

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

/** How many pixels the page is wider than the window (> 0: it scrolls sideways). Specs have no DOM types: a string. */
const overflowX = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** Full-page shots of the current deployment page at each width (back at 1400 afterwards). */
async function shootWidths(page: Page, what: string) {
  // Nothing focused: a focused action shows its reason over the header.
  await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(null)))');
    await page.screenshot({ path: path.join(SCREENSHOTS, `deployment-${what}-${w.name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

test('the deploy form deploys what it names: in upload mode nothing starts before the upload', async ({ page }) => {
  await ensureApplication(page, app);
  await createGroup(page, app, 'web', 'AllAtOnce');
  const v1 = uniqueName('v1');
  await deployBundle(page, app, 'web', buildBundle('ok', v1), v1);
  await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });

  await page.goto(`/applications/${app}/deploy?group=web`);
  const willDeploy = page.getByRole('region', { name: 'Will be deployed' });
  await expect(willDeploy).toContainText(v1);
  const start = page.getByRole('button', { name: 'Start deployment' });
  await expect(start).toBeEnabled();

  // A new bundle chosen but not uploaded: the v1 revision picked before must not go out.
  const v2 = uniqueName('v2');
  await page.getByLabel('Upload a new bundle').check();
  await page.getByLabel('Bundle', { exact: true }).setInputFiles(buildBundle('ok', v2));
  await expect(start).toBeDisabled();
  await expect(page.getByText(/^Upload ok\.tgz first/)).toBeVisible();
  await expect(willDeploy).not.toContainText(v1);
  // The bundle type is not asked: the server reads it.
  await expect(page.getByLabel('Bundle type')).toHaveCount(0);

  await page.getByLabel('Description (optional)').first().fill(v2);
  await page.getByRole('button', { name: 'Upload revision' }).click();
  await expect(willDeploy).toContainText(v2);
  await expect(willDeploy).toContainText('tgz');
  await start.click();
  await expect(page).toHaveURL(/\/deployments\/d-[A-Z0-9]{9}$/);
  succeededId = /\/deployments\/(d-[A-Z0-9]{9})$/.exec(page.url())?.[1] ?? '';
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText(v2);
  await expect(headerStatus(page)).toHaveText('Succeeded', { timeout: E2E.deployTimeoutMs });
  await shootWidths(page, 'succeeded');
});

test('a failure leads with its cause: event, host, script, exit code, last lines, the log', async ({ page }) => {
  await ensureApplication(page, app);
  const bad = uniqueName('bad');
  failedId = await deployBundle(page, app, 'web', buildBundle('fail', bad), bad);
  await expect(headerStatus(page)).toHaveText('Failed', { timeout: E2E.deployTimeoutMs });

  const cause = page.getByRole('alert', { name: 'Why the deployment failed' });
  await expect(cause.getByRole('heading')).toContainText(
    /BeforeInstall failed on web-\d \(scripts\/install\.sh, exit code 3\)/,
  );
  await expect(cause.getByRole('list', { name: 'Failed hosts' })).toContainText('broken on purpose');
  // The arithmetic is there, folded, after the cause.
  await expect(cause.locator('details')).not.toHaveAttribute('open');
  await cause
    .getByRole('button', { name: /^Open the full log of BeforeInstall on web-/ })
    .first()
    .click();
  const log = page.getByRole('dialog', { name: 'Lifecycle event log' });
  await expect(log.locator('pre.log-view').first()).toContainText('broken on purpose');
  await log.getByRole('button', { name: 'Close' }).click();
  await shootWidths(page, 'failed');
});

test('grid cells are told apart without colour (greyscale and deuteranopia)', async ({ page }) => {
  // Depends on an earlier test's deployment: fail, never skip, when it is missing.
  expect(failedId, 'needs the failed deployment of the previous test').not.toBe('');
  await page.goto(`/deployments/${failedId}`);
  const cells = grid(page);
  const glyphOf = async (cls: string) => (await cells.locator(`.${cls}`).first().textContent())?.trim();
  const shapes = {
    succeeded: await glyphOf('cell-succeeded'),
    failed: await glyphOf('cell-failed'),
    skipped: await glyphOf('cell-skipped'),
  };
  expect(shapes).toEqual({ succeeded: '✓', failed: '✕', skipped: '–' });
  // The accessible name says the state in words too.
  await expect(cells.getByRole('button', { name: /· BeforeInstall: failed/ }).first()).toBeVisible();

  const filters = {
    greyscale: 'grayscale(1)',
    // Deuteranopia (Machado et al. 2009, severity 1) as an SVG colour matrix.
    deuteranopia: 'url(#drover-deuteranopia)',
  };
  await page.evaluate(`(() => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('style', 'position:absolute;width:0;height:0');
    svg.innerHTML =
      '<filter id="drover-deuteranopia"><feColorMatrix type="matrix" values="0.367 0.861 -0.228 0 0  0.280 0.673 0.047 0 0  -0.012 0.043 0.969 0 0  0 0 0 1 0"/></filter>';
    document.body.appendChild(svg);
  })()`);
  for (const [name, filter] of Object.entries(filters)) {
    await page.evaluate(`document.documentElement.style.filter = ${JSON.stringify(filter)}`);
    // Under the filter, failed and succeeded cells still differ in what they show, not only in hue.
    const [ok, failed] = await Promise.all([glyphOf('cell-succeeded'), glyphOf('cell-failed')]);
    expect(ok).not.toBe(failed);
    await cells.screenshot({ path: path.join(SCREENSHOTS, `grid-${name}.png`) });
  }
  await page.evaluate(`document.documentElement.style.filter = ''`);
});

test('phone width: no sideways scrolling, navigation folded, the failed host in reach', async ({ page }) => {
  expect(failedId, 'needs the failed deployment of an earlier test').not.toBe('');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/deployments/${failedId}`);
  await expect(headerStatus(page)).toHaveText('Failed');
  expect(await overflowX(page)).toBeLessThanOrEqual(0);
  // Navigation is one line with a Menu button until opened.
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deployments' })).toBeHidden();
  const navBox = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
  expect(navBox?.height ?? 999).toBeLessThan(60);
  // The failed host, its event and its log, within the screen's width.
  const failed = page.getByRole('list', { name: 'Failed hosts' }).getByRole('listitem').first();
  await expect(failed).toContainText('BeforeInstall');
  const box = await failed.boundingBox();
  expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 999) <= 390).toBe(true);
  // Hosts as a list, not the wide grid.
  await expect(page.getByRole('list', { name: 'Hosts', exact: true })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Hosts by lifecycle event' })).toHaveCount(0);
  await menu.click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deployments' })).toBeVisible();
  for (const p of ['/applications', `/applications/${app}/deploy?group=web`, '/deployments', '/instances']) {
    await page.goto(p);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await overflowX(page), p).toBeLessThanOrEqual(0);
  }
});

test('a stop on request reads Stopped, not Failed', async ({ page }) => {
  await ensureApplication(page, app);
  await createGroup(page, app, 'slow', 'OneAtATime');
  const marker = uniqueName('slow');
  stoppedId = await deployBundle(page, app, 'slow', buildBundle('slow', marker), marker);
  await expect(grid(page).getByRole('button', { name: /· ApplicationStart: running/ })).toBeVisible({
    timeout: E2E.deployTimeoutMs,
  });
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Stop this deployment?' })
    .getByRole('button', { name: 'Stop deployment' })
    .click();
  await expect(headerStatus(page)).toHaveText('Stopped', { timeout: E2E.deployTimeoutMs });
  const box = page.getByRole('status', { name: 'Why the deployment stopped' });
  await expect(box).toContainText('Stopped on request');
  await expect(page.getByRole('alert', { name: 'Why the deployment failed' })).toHaveCount(0);
  // The host whose hook was let finish: Stopped, and no host reads Failed.
  await expect(grid(page).locator('.badge', { hasText: /^Stopped$/ })).toHaveCount(1);
  await expect(grid(page).locator('.badge', { hasText: /^Failed$/ })).toHaveCount(0);
  await expect(page.locator('.stat-stopped .stat-value')).toHaveText('1');
  await shootWidths(page, 'stopped');
  // The list of deployments says stopped too.
  await page.goto('/deployments');
  await expect(page.getByRole('row', { name: new RegExp(stoppedId) })).toContainText('1 stopped');
});

test('stop now ends the running hook on a real agent; the host reads Stopped', async ({ page }) => {
  await ensureApplication(page, app);
  const marker = uniqueName('slow-now');
  // A 60 s hook: a deployment that waited for it could not be Stopped within the 30 s allowed below.
  const id = await deployBundle(page, app, 'slow', buildBundle('long', marker), marker);
  await expect(grid(page).getByRole('button', { name: /· ApplicationStart: running/ })).toBeVisible({
    timeout: E2E.deployTimeoutMs,
  });
  await page.getByRole('button', { name: 'Stop now', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Stop now, ending the running hooks?' })
    .getByRole('button', { name: 'End hooks and stop' })
    .click();
  await expect(headerStatus(page)).toHaveText('Stopped', { timeout: 30_000 });
  // The hook did not get to finish: its event ended on request, and nothing after it ran.
  const ended = grid(page).getByRole('button', { name: /· ApplicationStart: failed/ });
  await expect(ended).toHaveCount(1);
  await expect(grid(page).locator('.badge', { hasText: /^Stopped$/ })).toHaveCount(1);
  await ended.click();
  const log = page.getByRole('dialog', { name: 'Lifecycle event log' });
  await expect(log).toContainText('ended on request');
  await log.getByRole('button', { name: 'Close' }).click();
  await expect(page).toHaveURL(new RegExp(`/deployments/${id}$`));
});

test('axe finds no serious or critical problem on any console page', async ({ page }) => {
  expect([failedId, succeededId], 'needs the deployments of the earlier tests').not.toContain('');
  const pages = [
    '/applications',
    `/applications/${app}`,
    `/applications/${app}/groups/web`,
    `/applications/${app}/deploy?group=web`,
    '/deployments',
    `/deployments/${failedId}`,
    `/deployments/${succeededId}`,
    ...(stoppedId ? [`/deployments/${stoppedId}`] : []),
    '/instances',
    '/load-balancers',
    '/settings/api-tokens',
    '/settings/registration-tokens',
    '/settings/users',
    '/settings/deployment-configs',
    '/audit',
  ];
  const found: string[] = [];
  for (const p of pages) {
    await page.goto(p);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    for (const v of result.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        found.push(
          `${p}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
        );
      }
    }
  }
  expect(found).toEqual([]);
});
