// Bundles the agent into one file that plain Node (20 or later) runs: dist/drover-agent.mjs (no node_modules
// needed), and its checksum (dist/drover-agent.mjs.sha256, sha256sum's format) that the API serves to the install
// script.
import { createHash } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;

/** @type {import('esbuild').Plugin} */
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.namespace === 'builtin' || !builtins.has(name)) return undefined;
      return { path: `node:${name}`, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
// DROVER_AGENT_OUTFILE lets the bundle test build into a temporary directory.
const outfile = process.env.DROVER_AGENT_OUTFILE ?? join(here, 'dist', 'drover-agent.mjs');
// The version the build reports: package.json's, or DROVER_AGENT_VERSION (the upgrade test builds two versions).
const version =
  process.env.DROVER_AGENT_VERSION ?? JSON.parse(await readFile(join(here, 'package.json'), 'utf8')).version;

await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { DROVER_BUILD_VERSION: JSON.stringify(version) },
  // Node built-ins are loaded with require(), not import: Node 22 builds an ES module facade of an imported
  // built-in by reading every export, and node:http's lazy WebSocket export loads undici, which needs the
  // WebAssembly that --jitless turns off ("WebAssembly is not defined" at start).
  plugins: [builtinsViaRequire],
  // The shebang carries V8 memory flags: the agent idles most of its life, and --jitless (the interpreter only: no
  // compiled code to keep, no WebAssembly) plus a 1 MB young generation keep it near 55 MB RSS under Node 22 instead
  // of about 68 MB (62 MB with the --lite-mode it had before; `agent_rss_idle_mb` in bench/results.json). Its work
  // is waiting, hashing and unpacking (native code), so the interpreter costs it nothing that matters.
  // `node dist/drover-agent.mjs` without them works too, just larger. (Node 20 warns once at start that jitless
  // turns WebAssembly off; Node 22 does not.)
  // Some dependencies are CommonJS and call require() for Node built-ins; give the ESM bundle a require.
  banner: {
    js: '#!/usr/bin/env -S node --jitless --max-semi-space-size=1\nimport { createRequire as __droverCreateRequire } from "node:module";\nconst require = __droverCreateRequire(import.meta.url);',
  },
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'info',
});
await chmod(outfile, 0o755);
const digest = createHash('sha256')
  .update(await readFile(outfile))
  .digest('hex');
await writeFile(`${outfile}.sha256`, `${digest}  drover-agent.mjs\n`);
// The version this build is, for the API to tell which hosts run an older agent (GET /agent/download).
await writeFile(join(dirname(outfile), 'version.json'), `${JSON.stringify({ version })}\n`);
