#!/bin/sh
# Starts the server in the background and records its pid for stop.sh. Its output goes to a file, not to the hook's
# stdout: a background process holding the hook's output open would keep the hook from ending.
set -eu
PORT="${DEMO_APP_PORT:-8080}"
STATE="${DEMO_APP_STATE_DIR:-/var/lib/demo-app}"
mkdir -p "$STATE"
nohup node scripts/server.mjs "$PORT" "$(pwd)/site" >"$STATE/server.log" 2>&1 &
echo $! >"$STATE/server.pid"
echo "start: ${DEPLOYMENT_ID:-?} serving $(pwd)/site on 0.0.0.0:$PORT, pid $!"
