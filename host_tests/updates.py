# Helpers for the update tests (issue 18): bundles made by tools/bundle.py and variants of them
# written by an independent writer (a crash at start, a hang, damage, foreign headers, bad paths),
# and the firmware run as a board runs it: under tools/supervise.py with its heartbeat watchdog.
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from harness import MICROPYTHON, ROOT, Firmware
from paths import MPY_CROSS

MAGIC = b"HANPORT-BUNDLE 1\n"
ADMIN = "update-admin-1"


def make_host_bundle(out, version):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "bundle.py"), "host", "--version", version, "--out", out],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def read_bundle(path):
    """(header dict, [(path, bytes)]) in the bundle's order."""
    with open(path, "rb") as f:
        data = f.read()
    pos = len(MAGIC)
    end = data.index(b"\n", pos)
    header = json.loads(data[pos:end])
    pos = end + 1
    files = []
    for _ in range(header["files"]):
        end = data.index(b"\n", pos)
        _, size, _, rel = data[pos:end].decode().split(" ", 3)
        files.append((rel, data[end + 1 : end + 1 + int(size)]))
        pos = end + 1 + int(size)
    return header, files


def write_bundle(header, files, hashes=None):
    """The bundle's bytes, each file line with its true SHA-256 unless hashes overrides it."""
    header = dict(header, files=len(files), bytes=sum(len(b) for _, b in files))
    out = bytearray(MAGIC + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    for rel, body in files:
        digest = (hashes or {}).get(rel) or hashlib.sha256(body).hexdigest()
        out += b"F %d %s %s\n" % (len(body), digest.encode(), rel.encode()) + body
    return bytes(out + b"END %s\n" % hashlib.sha256(out).hexdigest().encode())


def compiled(source, tmp):
    """A module's .mpy as tools/build.py makes it."""
    src = os.path.join(str(tmp), "m.py")
    with open(src, "w") as f:
        f.write(source)
    out = src[:-3] + ".mpy"
    subprocess.run([MPY_CROSS, "-s", "hanport", "-o", out, src], check=True)
    with open(out, "rb") as f:
        return f.read()


def with_module(path, version, rel, body, tmp):
    """A copy of a bundle as another version (its header and hanport/__init__) with one module replaced."""
    import re

    with open(os.path.join(ROOT, "firmware", "hanport", "__init__.py")) as f:
        init = re.sub(r'^VERSION = "[^"]*"', 'VERSION = "%s"' % version, f.read(), flags=re.M)
    replaced = {rel: body, "hanport/__init__.mpy": compiled(init, tmp)}
    header, files = read_bundle(path)
    header["version"] = version
    return write_bundle(header, [(r, replaced.get(r, b)) for r, b in files])


def post(port, data, password=ADMIN, origin=None, ctype="application/octet-stream", timeout=60):
    """(status, JSON answer) of POST /api/update."""
    req = urllib.request.Request("http://127.0.0.1:%d/api/update" % port, data=data, method="POST")
    req.add_header("Content-Type", ctype)
    if password is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(("admin:" + password).encode()).decode())
    if origin:
        req.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def get_json(port, path, timeout=3):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return json.loads(r.read())


def try_json(port, path):
    """get_json, or {} while the firmware restarts."""
    try:
        return get_json(port, path)
    except OSError:
        return {}


def running_version(port):
    try:
        return get_json(port, "/api")["firmware_version"]
    except OSError:
        return None  # restarting


class Supervised(Firmware):
    """The MicroPython host firmware (.mpy build) under tools/supervise.py, as make run runs it."""

    def __init__(self, workdir, serial, web_port, mpy, config=None, extra=(), watchdog_s=4, heap="320k", env=None):
        self.data = os.path.join(str(workdir), "data")
        os.makedirs(self.data, exist_ok=True)
        self.config_path = os.path.join(str(workdir), "config.json")
        if config is not None and not os.path.exists(self.config_path):
            with open(self.config_path, "w") as f:
                json.dump(config, f)
        fw = [MICROPYTHON, "-X", "heapsize=" + heap, os.path.join(ROOT, "tools", "hanport_host.py"), "--serial", serial]
        fw += ["--data", self.data, "--web-port", str(web_port), "--quiet", "--config", self.config_path] + list(extra)
        cmd = [sys.executable, os.path.join(ROOT, "tools", "supervise.py"), "--watchdog-s", str(watchdog_s), "--"] + fw
        self.lines = []
        self._spawn(cmd, dict(os.environ, HANPORT_FIRMWARE=mpy, **(env or {})), start_new_session=True)

    def power_cut(self):
        """kill -9 of everything (supervisor and firmware): the power is gone."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.reader.join(5)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.power_cut()
        self.reader.join(5)
        return self.proc.returncode


def tree_files(folder):
    """{relative path: bytes} of a folder tree."""
    out = {}
    for here, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(here, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, folder).replace(os.sep, "/")] = f.read()
    return out
