// The Debian package of the self-contained agent (apps/agent/build-deb.mjs, part of `pnpm build`): its contents,
// `dpkg -i` into a temporary root (maintainer scripts run chrootless, honouring DPKG_ROOT, no systemctl), the
// conffile's mode, the installed executable running, the unit passing `systemd-analyze verify`, and purge.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/processes';

const run = promisify(execFile);
const AGENT = path.join(REPO_ROOT, 'apps/agent');
const DEB_ARCH = arch() === 'arm64' ? 'arm64' : 'amd64';
const VERSION = (JSON.parse(readFileSync(path.join(AGENT, 'package.json'), 'utf8')) as { version: string }).version;
const DEB = path.join(AGENT, 'dist', `drover-agent_${VERSION}_${DEB_ARCH}.deb`);

let root: string;

beforeAll(() => {
  // Both keep an up-to-date output, so this is quick after the first build.
  execFileSync(process.execPath, [path.join(AGENT, 'build-sea.mjs')], { stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(AGENT, 'build-deb.mjs')], { stdio: 'pipe' });
  root = mkdtempSync(path.join(tmpdir(), 'drover-deb-'));
  mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(path.join(root, 'var/lib/dpkg/updates'));
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), '');
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The temporary root has no libc6 package to satisfy Depends: --force-depends; the files are what is checked.
const dpkg = (...args: string[]) =>
  run('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', ...args]);

describe('drover-agent .deb', () => {
  it('holds the executable, the unit, the conffile and installs, runs and purges in a temporary root', async () => {
    const listing = (await run('dpkg-deb', ['-c', DEB])).stdout;
    expect(listing).toMatch(/^-rwxr-xr-x root\/root +\d+ .* \.\/usr\/bin\/drover-agent$/m);
    expect(listing).toMatch(/^-rw------- root\/root +\d+ .* \.\/etc\/drover\/agent\.yml$/m);
    expect(listing).toMatch(/ \.\/lib\/systemd\/system\/drover-agent\.service$/m);
    const info = (await run('dpkg-deb', ['-I', DEB])).stdout;
    expect(info).toContain(`Package: drover-agent\n Version: ${VERSION}\n Architecture: ${DEB_ARCH}\n`);
    await run('dpkg-deb', ['-e', DEB, path.join(root, 'ctrl')]);
    expect(readFileSync(path.join(root, 'ctrl/conffiles'), 'utf8')).toBe('/etc/drover/agent.yml\n');

    const installed = await dpkg('-i', DEB);
    expect(installed.stdout).toContain(`Setting up drover-agent (${VERSION})`);
    expect(installed.stdout).toContain('drover-agent register --server');
    const status = (await run('dpkg', [`--root=${root}`, '-s', 'drover-agent'])).stdout;
    expect(status).toContain('Status: install ok installed');
    const files = (await run('dpkg', [`--root=${root}`, '-L', 'drover-agent'])).stdout.split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        '/usr/bin/drover-agent',
        '/lib/systemd/system/drover-agent.service',
        '/etc/drover/agent.yml',
        '/usr/share/doc/drover-agent/copyright',
      ]),
    );
    expect(statSync(path.join(root, 'etc/drover/agent.yml')).mode & 0o777).toBe(0o600);
    const exe = path.join(root, 'usr/bin/drover-agent');
    expect((await run(exe, ['version'], { env: { PATH: '/nonexistent' } })).stdout).toBe(`${VERSION}\n`);

    // The unit as shipped, checked against the executable where this root holds it.
    const unit = readFileSync(path.join(root, 'lib/systemd/system/drover-agent.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/drover-agent --config /etc/drover/agent.yml');
    const check = path.join(root, 'drover-agent.service');
    writeFileSync(check, unit.replace('ExecStart=/usr/bin/drover-agent', `ExecStart=${exe}`));
    const verify = await run('systemd-analyze', ['verify', check]).catch((e: { stderr: string }) => e);
    expect(verify.stderr).toBe('');

    // A purge removes the package's files, the conffile and the agent's state.
    mkdirSync(path.join(root, 'var/lib/drover-agent'), { recursive: true });
    writeFileSync(path.join(root, 'var/lib/drover-agent/credential.json'), '{}');
    await dpkg('--purge', 'drover-agent');
    for (const f of ['usr/bin/drover-agent', 'etc/drover/agent.yml', 'var/lib/drover-agent']) {
      expect(existsSync(path.join(root, f)), f).toBe(false);
    }
  }, 120_000);
});
