#!/usr/bin/env bash
# `make run`: the firmware on this host, under the MicroPython unix port (CPython where that
# wheel does not exist, or with RUNTIME=cpython), fed by the virtual meter on a pty unless
# SERIAL names a real port. CONFIG=file.json enables MQTT/HTTP as configured.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/run
if [ "${RUNTIME:-micropython}" = micropython ] && [ -x .venv/bin/micropython ]; then
  run=(.venv/bin/micropython -X "heapsize=${HEAP:-256k}")
else
  run=(.venv/bin/python)
fi
args=(--data build/run)
[ -n "${CONFIG:-}" ] && args+=(--config "$CONFIG")
[ -n "${WEB_PORT:-}" ] && args+=(--web-port "$WEB_PORT")
meter_pid=""
cleanup() { [ -n "$meter_pid" ] && kill "$meter_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if [ -n "${SERIAL:-}" ]; then
  serial="$SERIAL"
else
  serial=build/meter.pty
  rm -f "$serial"
  .venv/bin/python tools/fake_meter.py --link "$serial" --rate "${RATE:-1}" &
  meter_pid=$!
  for _ in $(seq 50); do [ -e "$serial" ] && break; sleep 0.1; done
fi
"${run[@]}" tools/hanport_host.py --serial "$serial" "${args[@]}"
