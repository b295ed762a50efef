#!/usr/bin/env python3
# `make mem`: the firmware's heap on the 32-bit MicroPython (tools/mpwasm.mjs, the ESP32's GC) per
# board and mode (setup, normal ASCII, normal binary): builds the .mpy tree, makes the meter's bytes
# and peers' data, runs tools/mem/mem_run.py, prints JSON lines + a table; exit 1 over budget.
# Usage: mem.py [MODE ...] [--board NAME ...] [--minutes N (default 130)] [--json-only] | --modules
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
sys.path.insert(0, os.path.join(ROOT, "host_tests", "portable"))

# Normal modes run the services the board's defaults allow (board.json web_server): MQTT with
# Home Assistant discovery, HTTP push, effekttariff, hourly ring, and the web server if on.
MODES = ("setup", "normal_ascii", "normal_binary")
# _mqtt: MQTT without HTTP push; _stored: a later boot, the meter's line stored by the first
# _update: a full bundle uploaded (issue 18): from the portal on boards without PSRAM, from the settings side else
EXTRA_MODES = ("normal_ascii_mqtt", "normal_binary_mqtt", "normal_ascii_stored", "normal_binary_stored")
UPDATE_MODES = ("setup_update", "normal_ascii_update")
# Budgets per board (gc_total, peak_used). A classic ESP32 without PSRAM: MicroPython's heap
# starts at 64,000 bytes and grows once to ~128,000 while ~40 KB stay with ESP-IDF for Wi-Fi and
# TLS (micropython PR 13219); a second growth takes that memory. The C3 (no PSRAM) has ~139 KB
# to grow into, shared with Wi-Fi: a second growth (to 256,000) would take 128 KB of it, so the
# same budget. S2/S3 with PSRAM keep the heap there (2 MB on the S2 mini): a quarter of it, and
# peak_used leaves room for replies, JSON and TLS. The C3 runs the classic board's services
# (same board.json defaults, same bytecode): its figures are the classic board's.
DEVICE_AREA = 64000
NO_PSRAM = (128000, 96 * 1024)
WITH_PSRAM = (512000, 256 * 1024)
BOARDS = {
    "esp32-devkitc": (NO_PSRAM, MODES + ("setup_update",)),
    "esp32-s3-devkitc": (WITH_PSRAM, ("normal_ascii", "normal_ascii_update")),  # --board for the others
}
BUDGETS = {"esp32-devkitc": NO_PSRAM, "esp32-c3-supermini": NO_PSRAM, "esp32-s2-mini": WITH_PSRAM, "esp32-s3-devkitc": WITH_PSRAM}
PEAK_USED_STRETCH = 80 * 1024  # boards without PSRAM
INTERVAL_S = 10  # the meter's cadence (Swedish meters: 1-10 s; 10 s is the common Aidon/Kaifa one)
START_UTC = 20468 * 86400 + 6 * 3600 + 55 * 60  # 2026-01-15 06:55 UTC (07:55 Swedish time): an hour ends at 5 min
KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
VM_HEAP = 65536  # loadMicroPython's heapsize for 64,000 usable bytes, the ESP32's first area
NODE = shutil.which("node") or shutil.which("nodejs") or "node"


def _records(frames):
    out = bytearray()
    for frame in frames:
        out += len(frame).to_bytes(2, "big") + frame
    return bytes(out)


def meter_bytes(mode, count):
    from telegen import SwedishMeter

    meter = SwedishMeter(7, "aidon", INTERVAL_S, START_UTC)
    if mode.startswith("normal_binary"):
        from hdlcgen import aidon_frame

        return _records(aidon_frame(meter, KEY, i + 1) for i in range(count))
    return _records(meter.telegram() for _ in range(count))


def config(mode):
    cfg = {
        "device.id": "hanport-mem",
        "wifi.ssid": "home",
        "wifi.password": "wifi-password",
        "mqtt.host": "broker.lan",
        "mqtt.port": 1883,
        "mqtt.user": "ha",
        "mqtt.password": "mqtt-password",
        "mqtt.ha_discovery": True,
        "http.url": "http://push.lan:8080/hanport",
        "http.token": "push-token",
        "http.interval_s": 10,
        "admin.password": "admin-password",
        "peaks.preset": "karlstad",  # the largest preset: two sets, seasons, prices (the fee)
    }
    if mode.startswith("normal_binary"):
        cfg["meter.key"] = KEY.hex()
    if "_mqtt" in mode:
        cfg["http.url"] = ""
    return cfg


def _form(keys, cfg, changes):
    from hanport.core.config import defaults
    from support import form_body

    full = defaults()
    full.update(cfg)
    return form_body(keys, full, changes)


def _two_days_of_hours():
    """The hourly ring's file after two days of running (svc/hourly.py's rows, every output has
    them): what a board with the status page keeps for its hours (KEEP_FOR_PAGE rows), so the
    heap measured holds them from the start. The last is the hour the run starts in."""
    from hanport.core.calendar import civil
    from hanport.svc.hourly import KEEP_FOR_PAGE

    start_hour = (START_UTC + 3600) // 3600  # Swedish winter time: UTC+1
    lines = []
    for k in range(KEEP_FOR_PAGE):
        hour = start_hour - KEEP_FOR_PAGE + 1 + k
        y, m, d = civil(hour // 24)
        date = (y % 100) * 10000 + m * 100 + d
        registers = [10000000 + k * 1500, 5000 + k * 40, 1700000 + k * 90, 1250000 + k * 30]
        lines.append([date * 100 + hour % 24, date, hour % 24 * 10000 + 5] + registers + [3])
    return [{"last_key": lines[-1][0]}] + lines


def prepare(mode, data, minutes, board="esp32-devkitc"):
    import base64

    from hanport.core.lan.portal import SETTINGS_KEYS, SETUP_KEYS

    os.makedirs(data, exist_ok=True)
    count = minutes * 60 // INTERVAL_S + 60
    with open(os.path.join(data, "meter.bin"), "wb") as f:
        f.write(meter_bytes(mode, count) if not mode.startswith("setup") else b"")
    cfg = config(mode)
    if mode.endswith("_update"):  # the host's full bundle (its board and architecture are the VM's)
        import bundle

        bundle.make_bundle("host", out=os.path.join(data, "update.hpb"))
    with open(os.path.join(data, "app.json"), "w") as f:  # the pointer as make deploy writes it
        f.write(json.dumps({"run": "app_a", "version": "0.1.0", "state": "good"}))
    if not mode.startswith("setup"):
        with open(os.path.join(data, "config.json"), "w") as f:
            json.dump(cfg, f)
    if BUDGETS[board] == WITH_PSRAM and not mode.startswith("setup"):  # the boards with the status page
        with open(os.path.join(data, "hourly.jsonl"), "w") as f:
            f.write("".join(json.dumps(line) + "\n" for line in _two_days_of_hours()))
    if mode.endswith("_stored"):  # a later boot: the line found before is stored
        line = {"format": "hdlc" if "binary" in mode else "ascii", "baud": 115200, "parity": "N", "flip": 0}
        with open(os.path.join(data, "line.json"), "w") as f:
            json.dump(line, f)
    with open(os.path.join(data, "settings_body.txt"), "wb") as f:
        f.write(_form(SETTINGS_KEYS, cfg, {"mqtt.min_interval_s": "5"}))
    with open(os.path.join(data, "settings_auth.txt"), "w") as f:
        f.write("Basic " + base64.b64encode(b"admin:" + cfg["admin.password"].encode()).decode())
    with open(os.path.join(data, "setup_body.txt"), "wb") as f:
        changes = {
            "wifi.ssid": "home",
            "wifi.password": "wifi-password",
            "mqtt.host": "broker.lan",
            "admin.password": "admin-password",
        }
        f.write(_form(SETUP_KEYS, {}, changes))
    with open(os.path.join(data, "scan.json"), "w") as f:
        json.dump([{"ssid": "home", "rssi": -61, "password": "wifi-password"}, {"ssid": "neighbour", "rssi": -80}], f)
    # A DNS query for connectivitycheck.gstatic.com (A, IN), as a phone sends on joining.
    qname = b"".join(bytes((len(p),)) + p for p in b"connectivitycheck.gstatic.com".split(b".")) + b"\x00"
    with open(os.path.join(data, "dns_query.bin"), "wb") as f:
        f.write(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + qname + b"\x00\x01\x00\x01")


def build_tree(dest, board="esp32-devkitc"):
    import build as builder

    out, _ = builder.build(board, dest, march="none")
    # Setup mode on the VM uses the host's radio stand-in (the ESP32's is machine/network code).
    builder._compile(
        os.path.join(ROOT, "firmware", "hanport", "host", "radio.py"),
        os.path.join(out, "hanport", "host", "radio.mpy"),
        None,
        "hanport/host/radio.py",
    )
    with open(os.path.join(out, "hanport", "host", "__init__.py"), "w") as f:
        f.write("")
    return out


def build_harness(dest):
    """tools/mem compiled like the firmware: on a device asyncio is frozen and sockets live in
    ESP-IDF's heap, so the stand-ins should keep as little of the VM's heap as they can."""
    import build as builder

    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(os.path.join(ROOT, "tools", "mem"))):
        src = os.path.join(ROOT, "tools", "mem", name)
        if name in ("vasyncio.py", "memnet.py", "browser.py"):
            builder._compile(src, os.path.join(dest, name[:-3] + ".mpy"), None, "tools/mem/" + name)
        elif name.endswith(".py"):
            shutil.copy(src, dest)
    return dest


def run_mode(mode, fw, work, minutes, board="esp32-devkitc"):
    data = os.path.join(work, board, mode)
    prepare(mode, data, minutes, board)
    harness = build_harness(os.path.join(work, "harness"))

    def vm(heap, *argv):
        args = [NODE, os.path.join(ROOT, "tools", "mpwasm.mjs"), "--heap", str(heap)]
        args += ["--copy", fw + "=/fw", "--copy", harness + "=/mem", "--copy", data + "=/data"]
        args += ["--copy", os.path.join(ROOT, "host_tests", "wasm_shims", "cryptolib.py") + "=/mem/cryptolib.py"]
        env = dict(os.environ, HANPORT_MEM_SLICE="1024" if BUDGETS[board] == NO_PSRAM else "8192")
        return subprocess.run(
            args + ["/mem/mem_run.py", mode] + list(argv), capture_output=True, text=True, timeout=3600, env=env
        )

    # First what the harness alone keeps; then the run, on a heap of the budget (128,000 bytes,
    # one growth on the device) plus that, so the firmware finds the room it has on the device.
    # The VM still grows when one slice makes more garbage than is free (it never collects
    # within a call); the budget is judged from peak_bound, not from the VM's growth.
    probe = vm(VM_HEAP, "harness")
    found = re.search(r"^HARNESS (\d+) (\d+)$", probe.stdout, re.M)
    if probe.returncode or not found:
        raise SystemExit("mem: harness probe failed:\n" + (probe.stdout + probe.stderr)[-3000:])
    harness_bytes, first_total = int(found.group(1)), int(found.group(2))
    room = min(BUDGETS[board][0], 256000)  # PSRAM boards: the VM grows on when it needs more
    heap = ((room + harness_bytes) * VM_HEAP // first_total + 15) // 16 * 16
    proc = vm(heap, str(minutes * 60000))
    log_path = os.path.join(work, board, mode + ".log")
    with open(log_path, "w") as f:
        f.write(proc.stdout + proc.stderr)
    found = re.search(r"^MEM (\{.*\})$", proc.stdout, re.M)
    largest = re.findall(r"max free sz: (\d+)", proc.stdout)
    qstrs = re.findall(r"n_qstr=(\d+)", proc.stdout)
    if proc.returncode or not found:
        raise SystemExit("mem: mode %s failed (log: %s):\n%s" % (mode, log_path, (proc.stdout + proc.stderr)[-4000:]))
    out = json.loads(found.group(1))
    if mode.endswith("_update") and (out.get("web") or {}).get("update") != 200:
        raise SystemExit("mem: mode %s: the update was not installed: %r (log: %s)" % (mode, out.get("web"), log_path))
    peak_used = out.pop("peak_used")
    # The device's heap: 64,000 bytes, doubled by each growth (py/gc.c gc_try_add_heap), until
    # the most the firmware can have had alive at once fits.
    gc_total = DEVICE_AREA
    while gc_total < out["peak_bound"]:
        gc_total *= 2
    line = {
        "board": board,
        "mode": mode,
        "gc_total": gc_total,
        "peak_used": peak_used,
        "free_after_gc": gc_total - peak_used,
        "largest_free": int(largest[-1]) * 16 if largest else None,  # blocks of 16 bytes on 32 bits
        "qstrs": int(qstrs[-1]) if qstrs else None,  # names interned at run time (never freed)
        "modules": out.pop("modules"),
    }
    line.update(out)
    return line


def module_costs(fw, work, names):
    """[(module, bytes kept on the heap over the modules before it, names it interned)] on the
    32-bit VM. Interned names are never freed, and their pool doubles as it fills (docs/memory.md)."""
    args = [NODE, os.path.join(ROOT, "tools", "mpwasm.mjs"), "--heap", "65536"]
    args += ["--copy", fw + "=/fw", "--copy", os.path.join(ROOT, "tools", "mem") + "=/mem"]
    proc = subprocess.run(args + ["/mem/mod_cost.py"] + names, capture_output=True, text=True, timeout=300)
    if proc.returncode:
        raise SystemExit("mem: module costs failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    found = re.findall(r"^MOD (\S+) (-?\d+)\n.*?n_qstr=(\d+)", proc.stdout, re.M)
    out, last = [], None
    for name, size, qstrs in found:
        out.append((name, int(size), int(qstrs) - last if last is not None else 0))
        last = int(qstrs)
    return out


def firmware_modules(fw):
    """Every hanport module of the build (the shells left out), each after the modules it
    imports at its top level, so that each cost is the module's own."""
    import ast

    src = os.path.join(ROOT, "firmware")
    names = []
    for folder, dirs, files in os.walk(os.path.join(fw, "hanport")):
        dirs[:] = sorted(d for d in dirs if d not in ("esp32", "host"))
        rel = os.path.relpath(folder, fw).replace(os.sep, ".")
        names.extend(rel + "." + f[:-4] for f in sorted(files) if f.endswith(".mpy") and f != "__init__.mpy")
    deps = {}
    for name in names:
        with open(os.path.join(src, *name.split(".")) + ".py") as f:
            tree = ast.parse(f.read())
        found = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hanport."):
                found.add(node.module)
                found.update(node.module + "." + a.name for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("hanport."))
        deps[name] = sorted(found & set(names))
    ordered = []

    def visit(name):
        if name not in ordered:
            for dep in deps[name]:
                visit(dep)
            ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def verdict(line):
    gc_budget, peak_budget = BUDGETS[line["board"]]
    over = []
    if line["gc_total"] > gc_budget:
        over.append("the heap would grow to %d > %d" % (line["gc_total"], gc_budget))
    if line["peak_used"] > peak_budget:
        over.append("peak_used %d > %d" % (line["peak_used"], peak_budget))
    return over


def table(lines):
    rows = [
        "| board | mode | gc_total (budget) | peak_used (budget) | steady_used | free after gc | peak_bound | modules | fits |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for line in lines:
        gc_budget, peak_budget = BUDGETS[line["board"]]
        ok = "yes" if not verdict(line) else "NO"
        if not verdict(line) and gc_budget == NO_PSRAM[0] and line["peak_used"] <= PEAK_USED_STRETCH:
            ok += " (stretch too)"
        rows.append(
            "| %s | %s | %d (%d) | %d (%d) | %d | %d | %d | %d | %s |"
            % (
                line["board"],
                line["mode"],
                line["gc_total"],
                gc_budget,
                line["peak_used"],
                peak_budget,
                line["steady_used"],
                line["free_after_gc"],
                line["peak_bound"],
                len(line["modules"]),
                ok,
            )
        )
    return "\n".join(rows)


def main(argv):
    minutes = 130
    modes = []
    boards = []
    json_only = False
    modules_only = False
    usage = "usage: mem.py [%s ...] [--board NAME ...] [--minutes N] [--json-only] | --modules" % " | ".join(
        MODES + EXTRA_MODES + UPDATE_MODES
    )
    i = 0
    while i < len(argv):
        if argv[i] in ("--minutes", "--board") and i + 1 < len(argv):
            if argv[i] == "--minutes":
                minutes = int(argv[i + 1])
            elif argv[i + 1] in BUDGETS:
                boards.append(argv[i + 1])
            else:
                raise SystemExit("mem: no budget for board %r; boards: %s" % (argv[i + 1], ", ".join(sorted(BUDGETS))))
            i += 2
            continue
        if argv[i] == "--json-only":
            json_only = True
        elif argv[i] == "--modules":
            modules_only = True
        elif argv[i] in MODES or argv[i] in EXTRA_MODES or argv[i] in UPDATE_MODES:
            modes.append(argv[i])
        else:
            raise SystemExit(usage)
        i += 1
    work = tempfile.mkdtemp(prefix="hanport-mem-")
    if modules_only:
        fw = build_tree(os.path.join(work, "fw"))
        costs = module_costs(fw, work, firmware_modules(fw))
        print("%-38s %7s %6s" % ("module", "bytes", "names"))
        for name, size, names in costs:
            print("%-38s %7d %6d" % (name, size, names))
        print("%-38s %7d %6d" % ("total", sum(c[1] for c in costs), sum(c[2] for c in costs)))
        return 0
    from concurrent.futures import ThreadPoolExecutor

    runs = []
    boards = boards or sorted(BOARDS)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # mpy-cross for each board at once
        trees = list(pool.map(lambda board: build_tree(os.path.join(work, "fw-" + board), board), boards))
    for board, fw in zip(boards, trees):
        runs += [(mode, fw, board) for mode in modes or (BOARDS[board][1] if board in BOARDS else MODES)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # one VM (node) per core
        lines = list(pool.map(lambda run: run_mode(run[0], run[1], work, minutes, run[2]), runs))
    for line in lines:
        print(json.dumps(line, sort_keys=True))
    if not json_only:
        print("")
        print("32-bit MicroPython heap in bytes (%d simulated minutes; board budgets: tools/mem.py)" % minutes)
        print(table(lines))
        print("logs: " + work)
    bad = [(line["board"] + " " + line["mode"], verdict(line)) for line in lines if verdict(line)]
    for mode, why in bad:
        print("over budget: %s: %s" % (mode, "; ".join(why)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
