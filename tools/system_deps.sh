#!/usr/bin/env bash
# The Debian/Ubuntu packages `make test` needs beside Python: a real MQTT broker, openssl for the
# TLS test's CA, Chromium + its driver for the page tests, node + npm for the 32-bit MicroPython.
# Installs what is missing (apt-get as root, else sudo -n); otherwise stops at once with the line
# to run. Used by `make test` (and so by .ci/run).
set -euo pipefail
need=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have mosquitto || need+=(mosquitto)
have openssl || need+=(openssl)
have chromium || need+=(chromium)
have chromedriver || need+=(chromium-driver)
have node || have nodejs || need+=(nodejs)
have npm || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "make test needs these system packages: ${need[*]}" >&2
  echo "install them with:  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
