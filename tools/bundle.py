#!/usr/bin/env python3
# `make bundle BOARD=name [VERSION=x.y.z]`: one release file for an update over the air (issue 18),
# build/hanport-<version>-<board>.hpb: a header, a manifest and the board's build (make build's
# tree without main.py/boot.py, which pick the application folder and are never replaced).
# Usage: bundle.py BOARD|host [--version X.Y.Z] [--out FILE]  (host: what `make run` runs)
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import build  # noqa: E402

# Wire format, read as a stream with constant memory (the device never holds the whole bundle,
# nor even its file list):
#   b"HANPORT-BUNDLE 1\n"
#   one JSON line: {"format": 1, "version", "board", "arch" (mpy-cross -march, null: plain
#     bytecode), "mpy" (the .mpy version, "6.3"), "files": count, "bytes": the files' total}
#   per file: b"F <size> <SHA-256 hex> <path>\n", then its bytes
#   b"END <SHA-256 hex of every byte before this line>\n", and nothing after it.
# The header gives what to check before anything is written (board, architecture, .mpy
# version, free flash); each file is checked as it passes; END catches a flip anywhere, a cut
# or a reordering.
MAGIC = b"HANPORT-BUNDLE 1\n"
FORMAT = 1
# The device's own, never in a bundle: main.py, boot.py and appslot.mpy pick the application
# folder (an update must not be able to break that), board.json is the device's wiring.
KEPT_OUT = build.SOURCE_FILES + ("appslot.mpy", "board.json")
HOST_BOARD = "esp32-devkitc"  # the host runtime runs this board's tree as plain bytecode


def mpy_version():
    out = subprocess.run([build.MPY_CROSS, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"mpy v(\d+\.\d+)", out)
    if not found:
        raise SystemExit("mpy-cross did not say its .mpy version: " + out.strip())
    return found.group(1)


def _set_version(tree, version, arch):
    """Recompiles hanport/__init__ of a built tree with another VERSION string."""
    with open(os.path.join(ROOT, "firmware", "hanport", "__init__.py")) as f:
        source = f.read()
    changed, n = re.subn(r'^VERSION = "[^"]*"', 'VERSION = "%s"' % version, source, flags=re.M)
    if n != 1:
        raise SystemExit("firmware/hanport/__init__.py has no VERSION line")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "__init__.py")
        with open(path, "w") as f:
            f.write(changed)
        build._compile(path, os.path.join(tree, "hanport", "__init__.mpy"), arch, "hanport/__init__.py")


def files_of(tree):
    """[(path, size, sha256 hex)] of a built tree, sorted, without the boot files."""
    out = []
    for folder, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, tree).replace(os.sep, "/")
            if rel in KEPT_OUT:
                continue
            with open(full, "rb") as f:
                data = f.read()
            out.append((rel, len(data), hashlib.sha256(data).hexdigest()))
    return out


def make_bundle(board, version=None, out=None):
    """Builds the board's tree and writes its bundle; returns (path, manifest)."""
    from hanport import VERSION

    version = version or VERSION
    if not re.match(r"^\d+\.\d+\.\d+$", version):
        raise SystemExit("VERSION must look like 1.2.3, not %r" % version)
    host = board == "host"
    work = tempfile.mkdtemp(prefix="hanport-bundle-")
    try:
        tree = os.path.join(work, "tree")
        name = HOST_BOARD if host else board
        chip_board, _ = build.board_config(name)
        arch = None if host else build.CHIPS[chip_board["chip"]]["arch"]
        build.build(name, tree, "none" if host else None, host)
        if version != VERSION:
            _set_version(tree, version, arch)
        files = files_of(tree)
        manifest = {"format": FORMAT, "version": version, "board": board, "arch": arch, "mpy": mpy_version()}
        manifest["files"] = len(files)
        manifest["bytes"] = sum(size for _, size, _ in files)
        out = out or os.path.join(ROOT, "build", "hanport-%s-%s.hpb" % (version, board))
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        whole = hashlib.sha256()
        with open(out + ".tmp", "wb") as f:

            def put(data):
                whole.update(data)
                f.write(data)

            put(MAGIC)
            put(json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode() + b"\n")
            for rel, size, digest in files:
                put(b"F %d %s %s\n" % (size, digest.encode(), rel.encode()))
                with open(os.path.join(tree, rel), "rb") as src:
                    put(src.read())
            f.write(b"END %s\n" % whole.hexdigest().encode())
        os.replace(out + ".tmp", out)
        manifest["list"] = files
        return out, manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    if not argv or argv[0].startswith("-"):
        raise SystemExit("usage: bundle.py BOARD|host [--version X.Y.Z] [--out FILE]")
    opts = dict(zip(argv[1::2], argv[2::2]))
    path, manifest = make_bundle(argv[0], opts.get("--version") or None, opts.get("--out"))
    line = "%s: hanport %s for %s (%s, mpy %s), %d files, %d bytes of files, %d bytes in all"
    arch = manifest["arch"] or "plain bytecode"
    name = os.path.relpath(path, ROOT)
    print(
        line
        % (
            name,
            manifest["version"],
            manifest["board"],
            arch,
            manifest["mpy"],
            manifest["files"],
            manifest["bytes"],
            os.path.getsize(path),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
