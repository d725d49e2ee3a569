// vitest globalSetup for integration and chaos tests: build the migrated template database once per run.
import { dropStaleTestDatabases, ensureTemplate } from './databases';

export default async function setup() {
  await ensureTemplate();
  await dropStaleTestDatabases().catch(() => undefined);
}
