// `pnpm build:server`: compiles the API and the worker to plain JavaScript, so production runs
// `node apps/api/dist/main.js` and `node apps/worker/dist/main.js` instead of loading TypeScript through tsx.
//
// Each is one ES module bundling our own code (the apps and the @drover/* packages, which are TypeScript source).
// Installed packages stay outside the bundle and are loaded from node_modules at run time, so the output only runs
// inside the installed tree (a checkout after `pnpm install`, or the Docker image), like the sources it replaces:
//  - a package is imported by the path at which the source file that imports it finds it: pnpm gives each
//    workspace package its own node_modules, which apps/*/dist/ cannot see by name;
//  - `import.meta.url` keeps naming the source file it was written in, so paths computed from it (prisma/migrations,
//    the console and agent builds, install.sh) resolve as they do under tsx.
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// DROVER_SERVER_OUTDIR=<dir> builds <dir>/api/main.js and <dir>/worker/main.js instead (the test builds elsewhere).
const outRoot = process.env.DROVER_SERVER_OUTDIR;
const outdir = (app) => (outRoot ? path.join(path.resolve(outRoot), app) : path.join(root, 'apps', app, 'dist'));

const TARGETS = [
  {
    name: 'api',
    outdir: outdir('api'),
    // server.ts starts itself only when it is the script node was given, which the bundle is not.
    entry: `import { main } from './src/server';
main().catch((err) => {
  console.error(\`drover: \${err.stack ?? err.message}\`);
  process.exit(1);
});`,
  },
  {
    name: 'worker',
    outdir: outdir('worker'),
    entry: `import { main } from './src/main';
main().catch((err) => {
  console.error(\`drover-worker: \${err.stack ?? err.message}\`);
  process.exit(1);
});`,
  },
];

const builtins = new Set(builtinModules);
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]);
const isOurs = (file) => !file.split(path.sep).includes('node_modules');
const asImport = (file) => {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/** The plugin that keeps packages outside the bundle and import.meta.url pointing at sources; see above. */
function serverPlugin(outdir) {
  return {
    name: 'drover-server',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner' || isBuiltin(args.path) || args.path.startsWith('@drover/')) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'inner',
        });
        if (r.errors.length > 0) return { errors: r.errors };
        if (isOurs(r.path)) return undefined; // a workspace package's generated code (the Prisma client)
        // Relative to the bundle: `outdir/<this>` is the installed file (pnpm's real path, as Node resolves it).
        const rel = path.relative(outdir, r.path).split(path.sep).join('/');
        return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
      });
      b.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
        if (!isOurs(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const other = source.match(/import\.meta\.(?!url\b)\w+/);
        if (other) {
          const where = path.relative(root, args.path);
          return {
            errors: [{ text: `${where}: ${other[0]} in server code; use import.meta.url, which is rewritten` }],
          };
        }
        const rel = path.relative(outdir, args.path).split(path.sep).join('/');
        const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
        return { contents, loader: path.extname(args.path) === '.tsx' ? 'tsx' : 'ts' };
      });
    },
  };
}

for (const t of TARGETS) {
  const started = Date.now();
  const result = await build({
    stdin: {
      contents: t.entry,
      resolveDir: path.join(root, 'apps', t.name),
      sourcefile: `${t.name}-main.ts`,
      loader: 'ts',
    },
    outfile: path.join(t.outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // Resolve packages as Node's ES module loader does: no "module" condition or field, which esbuild adds.
    conditions: ['node'],
    mainFields: ['main'],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [serverPlugin(t.outdir)],
  });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  const shown = asImport(path.join(t.outdir, 'main.js'));
  console.log(`build-server: ${shown} (${(bytes / 1024).toFixed(0)} KB with its map) in ${Date.now() - started} ms`);
}
