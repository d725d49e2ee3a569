// `pnpm openapi`: writes docs/openapi.json from the route schemas (stable key order, trailing newline). CI fails when
// the committed file is stale (tests/integration/api/openapi.test.ts regenerates it in memory and compares).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, stableJson } from './openapi-document';

export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/openapi.json');

async function main() {
  const doc = await buildOpenApiDocument();
  await writeFile(OPENAPI_FILE, stableJson(doc));
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)} (${Object.keys(doc.paths).length} paths)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
