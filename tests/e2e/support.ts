// Shared helpers for the console specs: settings from the environment, bundles built on the fly, and the few
// UI steps every flow repeats (log in, create an application and a group, upload, deploy).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

export const E2E = {
  email: process.env.DROVER_E2E_EMAIL ?? 'admin@example.test',
  password: process.env.DROVER_E2E_PASSWORD ?? 'correct horse battery staple',
  /** key=value tag carried by the agents the specs deploy to. */
  tag: process.env.DROVER_E2E_TAG ?? 'e2e=true',
  /** How many of those agents must be online. */
  minHosts: Number(process.env.DROVER_E2E_MIN_HOSTS ?? '2'),
  /** How long a whole deployment may take on this stack. */
  deployTimeoutMs: Number(process.env.DROVER_E2E_DEPLOY_TIMEOUT_MS ?? '120000'),
};

/** Where screenshots go: test-results/ by default; DROVER_E2E_SCREENSHOTS_DIR=docs/screenshots refreshes the README's. */
export const SCREENSHOTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
  process.env.DROVER_E2E_SCREENSHOTS_DIR ?? 'test-results/e2e/screenshots',
);

export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;

export type BundleKind = 'ok' | 'fail' | 'slow' | 'long';

/**
 * Builds a hooks-only bundle (.tgz) with `tar`: 'ok' prints and succeeds, 'fail' fails its BeforeInstall script,
 * 'slow' sleeps in ApplicationStart long enough to be stopped, 'long' for 60 s (ended by "stop now").
 */
export function buildBundle(kind: BundleKind, marker: string): string {
  // The harness points DROVER_E2E_TMPDIR into its own temp directory, removed at the end of the run.
  const dir = mkdtempSync(path.join(process.env.DROVER_E2E_TMPDIR ?? tmpdir(), `drover-e2e-${kind}-`));
  const root = path.join(dir, 'bundle');
  mkdirSync(path.join(root, 'scripts'), { recursive: true });
  const script = (name: string, body: string) => {
    const p = path.join(root, 'scripts', name);
    writeFileSync(p, `#!/bin/sh\nset -e\n${body}\n`);
    chmodSync(p, 0o755);
  };
  script('stop.sh', `echo "stopping ${marker}"`);
  script(
    'install.sh',
    kind === 'fail'
      ? `echo "installing ${marker}"\necho "e2e: broken on purpose" >&2\nexit 3`
      : `echo "installing ${marker}"`,
  );
  script(
    'start.sh',
    kind === 'slow' || kind === 'long'
      ? `echo "starting ${marker} slowly"\nsleep ${kind === 'long' ? 60 : 10}\necho "started"`
      : `echo "starting ${marker}"\necho "started"`,
  );
  script('validate.sh', `echo "validating ${marker}"`);
  writeFileSync(
    path.join(root, 'appspec.yml'),
    [
      'version: 0.0',
      'os: linux',
      'hooks:',
      '  ApplicationStop:',
      '    - location: scripts/stop.sh',
      '      timeout: 60',
      '  BeforeInstall:',
      '    - location: scripts/install.sh',
      '      timeout: 60',
      '  ApplicationStart:',
      '    - location: scripts/start.sh',
      '      timeout: 120',
      '  ValidateService:',
      '    - location: scripts/validate.sh',
      '      timeout: 60',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, `${kind}.tgz`);
  execFileSync('tar', ['-czf', out, '-C', root, '.']);
  return out;
}

export async function logIn(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(E2E.email);
  await page.getByLabel('Password').fill(E2E.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/applications$/);
}

export async function createApplication(page: Page, name: string): Promise<void> {
  await page.goto('/applications');
  await page.getByRole('button', { name: 'Create application' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create application' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${name}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Creates the application unless it exists, so each spec can also run alone (`-g`). */
export async function ensureApplication(page: Page, name: string): Promise<void> {
  // page.request shares the browser's session cookie.
  const res = await page.request.get(`/v1/applications/${encodeURIComponent(name)}`);
  if (res.status() === 404) await createApplication(page, name);
  else expect(res.status(), await res.text()).toBe(200);
}

export async function createGroup(page: Page, app: string, group: string, config: string): Promise<void> {
  await page.goto(`/applications/${app}`);
  await page.getByRole('button', { name: 'Create group' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create deployment group' });
  await dialog.getByLabel('Name', { exact: true }).fill(group);
  await dialog.getByLabel('Deployment configuration').selectOption(config);
  const [key, value] = E2E.tag.split('=');
  await dialog.getByLabel('Filter 1 key').fill(key ?? '');
  await dialog.getByLabel('Filter 1 value').fill(value ?? '');
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${app}/groups/${group}$`));
  // The group must see the e2e fleet before anything is deployed to it.
  await expect(page.getByRole('heading', { name: /Hosts targeted now/ })).toContainText(new RegExp(`\\((\\d+) ·`));
  const online = page.getByRole('table').getByText('online', { exact: true });
  await expect(online.first()).toBeVisible();
  expect(await online.count()).toBeGreaterThanOrEqual(E2E.minHosts);
}

/** From the group page: upload `bundle`, check the plan, start, and land on the deployment page. Returns its id. */
export async function deployBundle(
  page: Page,
  app: string,
  group: string,
  bundle: string,
  description: string,
): Promise<string> {
  await page.goto(`/applications/${app}/deploy?group=${encodeURIComponent(group)}`);
  await expect(page.getByLabel('Deployment group', { exact: true })).toHaveValue(group);
  await page.getByLabel('Upload a new bundle').check();
  await page.getByLabel('Bundle', { exact: true }).setInputFiles(bundle);
  await page.getByLabel('Description (optional)').first().fill(description);
  await page.getByRole('button', { name: 'Upload revision' }).click();
  // After the upload the form switches back to "pick" with the new revision selected.
  await expect(page.getByLabel('Revision', { exact: true }).locator('option:checked')).toContainText(description);
  const plan = page.getByLabel('Batch plan');
  await expect(plan).toContainText(/at a time/);
  await expect(plan.getByRole('list', { name: 'Batches' })).toBeVisible();
  await page.getByRole('button', { name: 'Start deployment' }).click();
  await expect(page).toHaveURL(/\/deployments\/d-[A-Z0-9]{9}$/);
  const id = /\/deployments\/(d-[A-Z0-9]{9})$/.exec(page.url())?.[1];
  if (!id) throw new Error(`no deployment id in ${page.url()}`);
  return id;
}

/** The status badge in the deployment page's title. */
export const headerStatus = (page: Page) => page.getByRole('heading', { level: 1 }).locator('.badge');

/** The instance × lifecycle-event grid (cells are scoped to it: the legend below uses the same classes). */
export const grid = (page: Page) => page.getByRole('grid', { name: 'Hosts by lifecycle event' });
