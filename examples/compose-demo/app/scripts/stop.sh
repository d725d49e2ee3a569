#!/bin/sh
# Stops the server start.sh launched and waits (at most 10 s) until it is gone, so the next revision can take the port.
set -u
STATE="${DEMO_APP_STATE_DIR:-/var/lib/demo-app}"
PIDFILE="$STATE/server.pid"
if [ ! -f "$PIDFILE" ]; then
  echo "stop: no server running"
  exit 0
fi
PID="$(cat "$PIDFILE")"
if kill "$PID" 2>/dev/null; then
  i=0
  while kill -0 "$PID" 2>/dev/null && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -9 "$PID" 2>/dev/null || true
  echo "stop: stopped server pid $PID"
fi
rm -f "$PIDFILE"
