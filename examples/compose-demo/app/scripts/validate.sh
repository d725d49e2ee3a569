#!/bin/sh
# Checks, retrying for up to 10 s while the server starts, that it answers the health check and serves this revision.
set -eu
PORT="${DEMO_APP_PORT:-8080}"
exec node --input-type=module -e '
const port = process.argv[1];
const until = Date.now() + 10_000;
const get = (path) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
for (;;) {
  try {
    const health = await get("/healthz");
    const page = await get("/");
    if (health.ok && page.ok) { console.log(`validate: healthy, serving ${(await page.text()).length} bytes`); break; }
    throw new Error(`healthz ${health.status}, page ${page.status}`);
  } catch (err) {
    if (Date.now() > until) { console.error(`validate: ${err.message}`); process.exit(1); }
    await new Promise((r) => setTimeout(r, 300));
  }
}' "$PORT"
