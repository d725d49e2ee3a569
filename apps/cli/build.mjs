// Bundles the CLI into one file that plain Node 20 runs: dist/drover.mjs (no node_modules needed), so it installs
// as a single command: copy it onto the PATH as `drover`, or `npm i -g` this package.
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
// DROVER_CLI_OUTFILE lets tests build into a temporary directory.
const outfile = process.env.DROVER_CLI_OUTFILE ?? join(here, 'dist', 'drover.mjs');

await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Some dependencies are CommonJS and call require() for Node built-ins; give the ESM bundle a require.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __droverCreateRequire } from "node:module";\nconst require = __droverCreateRequire(import.meta.url);',
  },
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: process.env.DROVER_CLI_OUTFILE ? 'warning' : 'info',
});
await chmod(outfile, 0o755);
