#!/usr/bin/env bash
# `make run`: the firmware on this host, under the MicroPython unix port (CPython where that
# wheel does not exist, or with RUNTIME=cpython) from the .mpy build, fed by the virtual meter on a pty unless
# SERIAL names a real port. CONFIG=file.json enables MQTT/HTTP as configured; WEB_PORT=8080
# serves the status page, API and settings. SETUP=1 (with WEB_PORT, CONFIG, optional DNS_PORT
# and SCAN_FILE) runs the setup portal first and saves the form to CONFIG. MDNS_PORT=5353 (with
# WEB_PORT) announces it by DNS-SD at this machine's first address (IP= overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/run
if [ "${RUNTIME:-micropython}" = micropython ] && [ -x .venv/bin/micropython ]; then
  # What the device runs: the .mpy build (make build's compiler and pinned umqtt.simple).
  .venv/bin/python tools/build.py esp32-devkitc --out build/host --march none --host >/dev/null
  export HANPORT_FIRMWARE="$PWD/build/host"
  run=(.venv/bin/micropython -X "heapsize=${HEAP:-320k}")
else
  run=(.venv/bin/python)
fi
args=(--data build/run)
[ -n "${CONFIG:-}" ] && args+=(--config "$CONFIG")
[ -n "${WEB_PORT:-}" ] && args+=(--web-port "$WEB_PORT")
if [ -n "${MDNS_PORT:-}" ]; then
  args+=(--mdns-port "$MDNS_PORT" --ip "${IP:-$(hostname -I 2>/dev/null | cut -d' ' -f1)}")
fi
if [ -n "${VERBOSE:-}" ] && [ "${VERBOSE}" != 0 ]; then args+=(--verbose); fi  # the reading as JSON
if [ -n "${SETUP:-}" ] && [ "${SETUP}" != 0 ]; then
  if [ -z "${CONFIG:-}" ] || [ -z "${WEB_PORT:-}" ]; then
    echo "SETUP=1 needs WEB_PORT=port and CONFIG=file (where the form saves), e.g." >&2
    echo "  make run SETUP=1 WEB_PORT=8080 DNS_PORT=5353 CONFIG=build/config.json" >&2
    exit 2
  fi
  args+=(--setup)
  [ -n "${DNS_PORT:-}" ] && args+=(--dns-port "$DNS_PORT")
  [ -n "${SCAN_FILE:-}" ] && args+=(--scan-file "$SCAN_FILE")
fi
meter_pid=""
fw_pid=""
cleanup() { [ -n "$meter_pid" ] && kill "$meter_pid" 2>/dev/null || true; }
# SIGTERM (systemd, with KillMode=mixed) and SIGINT stop the firmware cleanly: it gets SIGINT,
# which the MicroPython unix port (no signal module) raises as KeyboardInterrupt, so the stop is
# not taken for a crash by the crash-loop guard.
stop() { [ -n "$fw_pid" ] && kill -INT "$fw_pid" 2>/dev/null || true; }
trap cleanup EXIT
trap stop INT TERM
if [ -n "${SERIAL:-}" ]; then
  serial="$SERIAL"
else
  serial=build/meter.pty
  rm -f "$serial"
  .venv/bin/python tools/fake_meter.py --link "$serial" --rate "${RATE:-1}" &
  meter_pid=$!
  for _ in $(seq 50); do [ -e "$serial" ] && break; sleep 0.1; done
fi
# make run installs this checkout's build, as make deploy does on a board: an update received
# earlier (build/run/app_a|app_b, app.json) is dropped. Within the run, updates work as on a board.
rm -rf build/run/app.json build/run/app.json.tmp build/run/app_a build/run/app_b build/run/app_new
# tools/supervise.py starts the firmware again when it asks (after a save, an update, a rollback),
# after a crash, and when its heartbeat stops (the board's watchdog).
.venv/bin/python tools/supervise.py -- "${run[@]}" tools/hanport_host.py --serial "$serial" "${args[@]}" &
fw_pid=$!
status=0
while :; do  # wait returns early when a signal arrives: wait again until the firmware is gone
  wait "$fw_pid" && status=0 || status=$?
  kill -0 "$fw_pid" 2>/dev/null || break
done
exit "$status"
