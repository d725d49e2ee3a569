// Packages the self-contained agent as a Debian package: dist/drover-agent_<version>_<arch>.deb with
//   /usr/bin/drover-agent                      the executable built by build-sea.mjs (run that first)
//   /lib/systemd/system/drover-agent.service   the unit (ExecStart=/usr/bin/drover-agent --config /etc/drover/agent.yml)
//   /etc/drover/agent.yml                      a conffile (0600): dpkg keeps the operator's edits on upgrade
//   /usr/share/doc/drover-agent/copyright
// postinst enables the unit and (re)starts it once the host is registered; it tells how to register otherwise.
// Every maintainer script honours DPKG_ROOT (dpkg --root … --force-script-chrootless) and never calls systemctl
// there, so the package can be installed into a directory for a check.
//
//   node build-deb.mjs [--platform linux-x64|linux-arm64]   (default: this machine's)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const here = import.meta.dirname;
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const outDir = process.env.DROVER_AGENT_DIST ?? join(here, 'dist');
const { values } = parseArgs({ options: { platform: { type: 'string' } } });
const platform = values.platform ?? `linux-${hostArch()}`;
const debArch = { 'linux-x64': 'amd64', 'linux-arm64': 'arm64' }[platform];
if (!debArch) throw new Error(`no Debian architecture for ${platform}`);
const exe = join(outDir, `drover-agent-${platform}`);
if (!existsSync(exe)) throw new Error(`${exe} is missing: run node build-sea.mjs --platform ${platform} first`);

const deb = join(outDir, `drover-agent_${pkg.version}_${debArch}.deb`);
const script = readFileSync(import.meta.filename);
const stampFile = join(outDir, '.sea', `${platform}.deb.stamp`);
const stamp = `${statSync(exe).mtimeMs}|${pkg.version}|${createHash('sha256').update(script).digest('hex')}`;
if (existsSync(deb) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  process.stderr.write(`build-deb: ${deb} is up to date\n`);
  process.exit(0);
}

const root = join(outDir, '.deb', platform);
rmSync(root, { recursive: true, force: true });
const file = (path, text, mode = 0o644) => {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true, mode: 0o755 });
  writeFileSync(full, text);
  chmodSync(full, mode);
};

mkdirSync(join(root, 'usr/bin'), { recursive: true });
copyFileSync(exe, join(root, 'usr/bin/drover-agent'));
chmodSync(join(root, 'usr/bin/drover-agent'), 0o755);

file(
  'lib/systemd/system/drover-agent.service',
  `# Drover deployment agent (package drover-agent). Local changes: systemctl edit drover-agent.
[Unit]
Description=Drover deployment agent
Documentation=file:///usr/share/doc/drover-agent/copyright
After=network-online.target
Wants=network-online.target
ConditionPathExists=/var/lib/drover-agent/credential.json

[Service]
Type=simple
ExecStart=/usr/bin/drover-agent --config /etc/drover/agent.yml
EnvironmentFile=-/etc/drover/agent.env
Environment=MALLOC_ARENA_MAX=2
User=root
UMask=0022
Restart=always
RestartSec=5
RestartPreventExitStatus=2
KillMode=process
TimeoutStopSec=30
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`,
);
file(
  'etc/drover/agent.yml',
  `# drover-agent configuration (docs/agent.md). Register this host to fill it in:
#   drover-agent register --server https://drover.example.com --token drr_… [--tag env=prod]
# then: systemctl start drover-agent
`,
  0o600,
);
file(
  'usr/share/doc/drover-agent/copyright',
  `Drover agent ${pkg.version}: the host agent of Drover, a self-hosted deployment control plane.
It embeds the Node.js runtime (MIT licence, https://nodejs.org/).
License: Apache-2.0
`,
);

const installedKb = Math.ceil(Number(execFileSync('du', ['-sk', root], { encoding: 'utf8' }).split('\t')[0]));
file(
  'DEBIAN/control',
  `Package: drover-agent
Version: ${pkg.version}
Architecture: ${debArch}
Maintainer: Drover <drover@localhost>
Installed-Size: ${installedKb}
Depends: libc6 (>= 2.28), libstdc++6
Section: admin
Priority: optional
Description: Drover deployment agent
 Runs the lifecycle events of Drover deployments on this host: downloads and
 verifies revisions, installs files, runs the appspec's hook scripts and
 reports back. A single executable with its own Node.js runtime.
`,
);
file('DEBIAN/conffiles', '/etc/drover/agent.yml\n');
file(
  'DEBIAN/postinst',
  `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
    systemctl enable drover-agent.service >/dev/null 2>&1 || true
    if [ -f /var/lib/drover-agent/credential.json ]; then
      systemctl restart drover-agent.service || true
    fi
  fi
  if [ ! -f "\${DPKG_ROOT:-}/var/lib/drover-agent/credential.json" ]; then
    echo "drover-agent: register this host, then start it:"
    echo "  drover-agent register --server https://drover.example.com --token drr_..."
    echo "  systemctl start drover-agent"
  fi
fi
exit 0
`,
  0o755,
);
file(
  'DEBIAN/prerm',
  `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now drover-agent.service >/dev/null 2>&1 || true
fi
exit 0
`,
  0o755,
);
file(
  'DEBIAN/postrm',
  `#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf "\${DPKG_ROOT:-}/var/lib/drover-agent" "\${DPKG_ROOT:-}/var/log/drover-agent"
fi
if [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
`,
  0o755,
);

// gzip, not dpkg-deb's default xz: xz takes minutes over a 100 MB executable on a busy 2-core machine, gzip seconds.
execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, deb], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
rmSync(join(outDir, '.deb'), { recursive: true, force: true });
mkdirSync(join(outDir, '.sea'), { recursive: true });
writeFileSync(stampFile, stamp);
process.stderr.write(`build-deb: ${deb}\n`);
