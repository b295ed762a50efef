#!/usr/bin/env python3
# `make bench`: an update of a full bundle (tools/bundle.py's host bundle) over HTTP to the host
# firmware (.mpy, MicroPython unix port, under tools/supervise.py): upload and verify, restart,
# trial; then the update's peak heap on the 32-bit VM (make mem's update modes) beside the same
# modes without an update. Usage: bench_update.py [ROUNDS]
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "host_tests"), os.path.join(ROOT, "tools")]

from harness import FakeMeter, build_mpy, free_port, wait_for  # noqa: E402
from updates import ADMIN, Supervised, make_host_bundle, post, running_version, try_json  # noqa: E402


def time_updates(rounds):
    """[(upload+verify s, until the new version answers s, until good s)] per round."""
    out = []
    with tempfile.TemporaryDirectory(prefix="hanport-bench-update-") as tmp:
        mpy = build_mpy(os.path.join(tmp, "mpy"))
        versions = ["9.9.%d" % (i + 1) for i in range(rounds)]
        paths = [make_host_bundle(os.path.join(tmp, v + ".hpb"), v) for v in versions]
        meter = FakeMeter(tmp, rate=1.0, interval=10)
        port = free_port()
        fw = Supervised(tmp, meter.link, port, mpy, {"admin.password": ADMIN}, ["--trial-s", "2"])
        try:
            wait_for(lambda: running_version(port), 30, what=fw.output)
            for version, path in zip(versions, paths):
                with open(path, "rb") as f:
                    body = f.read()
                started = time.monotonic()
                status, answer = post(port, body)
                verified = time.monotonic()
                if status != 200:
                    raise SystemExit("bench_update: refused: %r\n%s" % (answer, fw.output()[-2000:]))
                wait_for(lambda: running_version(port) == version, 60, step=0.02, what=fw.output)  # noqa: B023
                answering = time.monotonic()
                wait_for(lambda: try_json(port, "/api/update").get("state") == "good", 60, what=fw.output)
                good = time.monotonic()
                out.append((verified - started, answering - started, good - started, len(body)))
        finally:
            fw.stop()
            meter.stop()
    return out


def heap_figures():
    """make mem's update modes and the same modes without an update, 32-bit VM (JSON lines)."""
    lines = {}
    runs = (("esp32-devkitc", ("setup", "setup_update")), ("esp32-s3-devkitc", ("normal_ascii", "normal_ascii_update")))
    for board, modes in runs:
        cmd = [sys.executable, os.path.join(ROOT, "tools", "mem.py"), *modes, "--board", board, "--minutes", "3", "--json-only"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        for text in proc.stdout.splitlines():
            if text.startswith("{"):
                line = json.loads(text)
                lines[(line["board"], line["mode"])] = line
        if proc.returncode:
            print(proc.stdout[-2000:] + proc.stderr[-2000:])
    return lines


def main(argv):
    rounds = int(argv[0]) if argv else 3
    times = time_updates(rounds)
    size = times[0][3]
    print("")
    print("Update over HTTP on this host (%d bytes, the host's full bundle; trial 2 s here, 10 min on a board)" % size)
    print("| round | upload + verify + install | new version answers | marked good |")
    print("|---|---|---|---|")
    for i, (verified, answering, good, _) in enumerate(times):
        print("| %d | %.2f s (%.0f KB/s) | %.2f s | %.2f s |" % (i + 1, verified, size / verified / 1024, answering, good))
    lines = heap_figures()
    print("")
    print("Peak heap of an update, 32-bit VM (make mem), beside the same mode without one")
    print("| board | mode | peak_used with an update | without | budget | fits |")
    print("|---|---|---|---|---|---|")
    for board, base in (("esp32-devkitc", "setup"), ("esp32-s3-devkitc", "normal_ascii")):
        upd = lines.get((board, base + "_update"))
        plain = lines.get((board, base))
        if upd is None or plain is None:
            print("| %s | %s | (mem.py failed) | | | |" % (board, base + "_update"))
            continue
        from mem import BUDGETS

        budget = BUDGETS[board][1]
        fits = "yes" if upd["peak_used"] <= budget and upd["gc_total"] <= BUDGETS[board][0] else "NO"
        print("| %s | %s | %d | %d | %d | %s |" % (board, base + "_update", upd["peak_used"], plain["peak_used"], budget, fits))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
