// One vitest run covers every kind of test; projects keep their environments apart.
// Integration and chaos tests use real PostgreSQL and Redis: each test file gets its own database cloned from a
// migrated template and its own Redis key prefix (see packages/testing), so files run in parallel safely.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Console component tests (happy-dom); their settings live beside the console.
      'apps/console/vite.config.ts',
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/{api,worker,agent,cli}/src/**/*.test.ts',
            'tests/unit/**/*.test.ts',
          ],
          environment: 'node',
          // Property tests run thousands of cases; on a busy 2-core machine 5 s is too tight to mean anything.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chaos',
          include: ['tests/chaos/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
