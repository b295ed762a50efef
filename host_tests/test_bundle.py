# make bundle (issue 18, point 1): one streamable file per board, read back here by a reader of
# its own: header, every file's size and SHA-256, the closing hash, nothing after it; a host
# bundle with VERSION=9.9.9 runs on the MicroPython unix port and says 9.9.9.
import hashlib
import json
import os
import subprocess
import sys

from conftest import MICROPYTHON, MPY_CROSS, ROOT
from test_bundlein import Stage


def read_bundle(path):
    """(header, {path: bytes}) of a bundle, every check of its format applied."""
    with open(path, "rb") as f:
        data = f.read()
    assert data.startswith(b"HANPORT-BUNDLE 1\n")
    pos = len(b"HANPORT-BUNDLE 1\n")
    end = data.index(b"\n", pos)
    header = json.loads(data[pos:end])
    pos = end + 1
    files = {}
    for _ in range(header["files"]):
        end = data.index(b"\n", pos)
        tag, size, digest, rel = data[pos:end].decode().split(" ", 3)
        assert tag == "F" and not rel.startswith("/") and ".." not in rel.split("/"), rel
        size = int(size)
        body = data[end + 1 : end + 1 + size]
        assert len(body) == size and hashlib.sha256(body).hexdigest() == digest, rel
        files[rel] = body
        pos = end + 1 + size
    assert data[pos:] == b"END %s\n" % hashlib.sha256(data[:pos]).hexdigest().encode()  # nothing after
    assert sum(len(b) for b in files.values()) == header["bytes"]
    return header, files


def _bundle(board, out, version=None):
    args = [sys.executable, os.path.join(ROOT, "tools", "bundle.py"), board, "--out", out]
    if version:
        args += ["--version", version]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_a_board_bundle_holds_its_build_and_says_what_it_is_for(tmp_path):
    out = str(tmp_path / "board.hpb")
    said = _bundle("esp32-devkitc", out)
    header, files = read_bundle(out)
    mpy = subprocess.run([MPY_CROSS, "--version"], capture_output=True, text=True)
    assert header["board"] == "esp32-devkitc" and header["arch"] == "xtensawin" and header["format"] == 1
    assert "mpy v" + header["mpy"] in mpy.stdout
    assert "hanport/core/p1/parser.mpy" in files and "umqtt/simple.mpy" in files and "www/status.html.gz" in files
    assert not {"main.py", "boot.py", "appslot.mpy", "board.json"} & set(files)  # the device's own
    assert "hanport/host/main.mpy" not in files  # the host shell stays off a board
    assert "for esp32-devkitc" in said and str(header["files"]) in said


def test_a_host_bundle_with_another_version_runs_as_that_version(tmp_path):
    out = str(tmp_path / "host.hpb")
    _bundle("host", out, "9.9.9")
    header, files = read_bundle(out)
    assert header["version"] == "9.9.9" and header["arch"] is None and "hanport/host/main.mpy" in files
    tree = tmp_path / "tree"
    for rel, body in files.items():
        target = tree / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    probe = "import sys; sys.path.insert(0, %r); import hanport; print(hanport.VERSION)" % str(tree)
    proc = subprocess.run([MICROPYTHON, "-c", probe], capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip() == "9.9.9", proc.stdout + proc.stderr
    # the device's reader (core/update/bundlein.py) takes it in 512-byte chunks, as the upload comes
    from hanport.core.update.bundlein import BundleReader

    stage = Stage()  # the portable test's in-memory staging folder
    reader = BundleReader({"board": "host", "arch": None, "mpy": header["mpy"]}, 1 << 24, stage, hashlib.sha256)
    raw = open(out, "rb").read()
    for i in range(0, len(raw), 512):
        reader.feed(raw[i : i + 512])
    assert reader.finish()["version"] == "9.9.9" and stage.files == files
    # a flipped bit anywhere is caught
    data = bytearray(open(out, "rb").read())
    data[len(data) // 2] ^= 0x10
    open(out, "wb").write(bytes(data))
    try:
        read_bundle(out)
    except (AssertionError, ValueError, UnicodeDecodeError):
        pass
    else:
        raise AssertionError("a flipped bit went unnoticed")
