// The workspace's import arrows, as data: each part of the tree and the parts it may import. docs/ARCHITECTURE.md
// draws the same picture; eslint-plugin-boundaries (eslint.config.js) enforces it, so an import against an arrow fails
// `pnpm lint`. The graph has no cycles, so no import circle between parts can form.

/** Workspace parts: every package and app, plus the cross-package test, benchmark and script folders. */
export const parts = {
  contracts: 'packages/contracts',
  config: 'packages/config',
  appspec: 'packages/appspec',
  domain: 'packages/domain',
  db: 'packages/db',
  engine: 'packages/engine',
  traffic: 'packages/traffic',
  alarms: 'packages/alarms',
  client: 'packages/client',
  testing: 'packages/testing',
  api: 'apps/api',
  worker: 'apps/worker',
  agent: 'apps/agent',
  cli: 'apps/cli',
  console: 'apps/console',
  tests: 'tests',
  bench: 'bench',
  scripts: 'scripts',
};

const packages = ['contracts', 'config', 'appspec', 'domain', 'db', 'engine', 'traffic', 'alarms', 'client', 'testing'];

/** Part → the parts it may import (besides itself). Apps import packages only, never another app. */
export const arrows = {
  contracts: [],
  config: [],
  appspec: ['contracts'],
  domain: ['contracts'],
  db: ['config'],
  engine: ['contracts', 'domain', 'db', 'config', 'traffic', 'alarms'],
  traffic: [],
  alarms: ['contracts'],
  client: ['contracts'],
  testing: ['db', 'config'],
  api: ['engine', 'db', 'domain', 'contracts', 'config', 'appspec', 'traffic', 'alarms'],
  worker: ['engine', 'db', 'domain', 'contracts', 'config', 'traffic', 'alarms'],
  agent: ['contracts', 'appspec'],
  cli: ['contracts', 'client', 'appspec'],
  console: ['contracts', 'client'],
  // Tests, benchmarks and scripts run the whole product: any package, and the apps through their entry points.
  tests: [...packages, 'api', 'worker', 'agent', 'cli'],
  bench: [...packages, 'api', 'worker', 'agent'],
  scripts: [...packages, 'api', 'worker'],
};

export const boundaryElements = Object.entries(parts).map(([type, folder]) => ({
  type,
  pattern: `${folder}/**`,
  partialMatch: false,
}));

/** The files another part may import: a package's entry points (its package.json `exports`). */
export const entryPoints = ['src/index.ts', 'test-support/index.ts', 'generated/prisma/client.ts'];

/** Test support that is not a package: the benchmarks run their processes with the tests' helpers. */
const supportFolders = [{ from: 'bench', to: 'tests', path: 'support/**' }];

export const boundaryPolicies = Object.entries(arrows).flatMap(([from, to]) => [
  { from: { element: { type: from } }, allow: { to: { element: { type: from } } } },
  ...supportFolders
    .filter((s) => s.from === from)
    .map((s) => ({
      from: { element: { type: from } },
      allow: { to: { element: { type: s.to, fileInternalPath: s.path } } },
    })),
  {
    from: { element: { type: from } },
    allow: { to: { element: { types: { anyOf: to }, fileInternalPath: entryPoints } } },
  },
]);
