// Adding a host as a new user does (#19): Instances → Register hosts, create a token, take the install line the console
// shows, paste it into a shell. The line runs as printed — minus sudo (the harness is root) and with --root and
// --no-systemd added so it installs into a temporary directory — against this stack's API; the installed
// self-contained agent then starts with no Node on its PATH and the host shows online on the Instances page.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { logIn, uniqueName } from './support';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('Register hosts gives the install line, and pasted into a shell it adds the host', async ({ page, baseURL }) => {
  // The API serves apps/agent/dist; build-sea keeps this machine's executable there when it is up to date.
  execFileSync(process.execPath, [path.join(REPO, 'apps/agent/build.mjs')], { stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(REPO, 'apps/agent/build-sea.mjs')], { stdio: 'pipe' });
  const host = uniqueName('onboard');

  await logIn(page);
  await page.goto('/instances');
  await page.getByRole('link', { name: 'Register hosts' }).click();
  await expect(page).toHaveURL(/\/settings\/registration-tokens$/);
  await page.getByLabel('Name', { exact: true }).fill(host);
  await page.getByLabel(/^Tags/).fill('onboarding=e2e');
  await page.getByRole('button', { name: 'Create registration token' }).click();
  const code = page.locator('.secret-box pre code');
  await expect(code).toHaveText(/^curl -fsSL \S+\/install\.sh \| sudo sh -s -- --token drr_\S+$/);
  const line = await code.innerText();
  expect(line.startsWith(`curl -fsSL ${baseURL}/install.sh | sudo sh -s -- --token `)).toBe(true);
  await expect(page.getByRole('button', { name: 'Copy install command' })).toBeVisible();

  const work = mkdtempSync(path.join(process.env.DROVER_E2E_TMPDIR ?? tmpdir(), 'drover-e2e-onboard-'));
  const root = path.join(work, 'root');
  const pasted = `${line.replace('| sudo sh ', '| sh ')} --root ${root} --no-systemd --name ${host}`;
  const install = spawnSync('sh', ['-c', pasted], { encoding: 'utf8', timeout: 120_000 });
  expect(install.status, `${install.stdout}${install.stderr}`).toBe(0);
  expect(install.stdout).toContain(`registered as ${host}`);

  const nodeless = path.join(work, 'bin');
  mkdirSync(nodeless);
  symlinkSync('/bin/sh', path.join(nodeless, 'sh'));
  const agent = spawn(
    path.join(root, 'usr/local/bin/drover-agent'),
    ['--config', path.join(root, 'etc/drover/agent.yml')],
    { env: { ...process.env, PATH: nodeless }, stdio: 'ignore' },
  );
  try {
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: host, exact: true }) });
    await expect(async () => {
      await page.goto('/instances');
      await expect(row.getByText('online', { exact: true })).toBeVisible({ timeout: 3000 });
    }).toPass({ timeout: 60_000 });
    await expect(row).toContainText('onboarding=e2e');
  } finally {
    agent.kill('SIGTERM');
  }
});
