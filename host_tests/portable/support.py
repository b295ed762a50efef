# Helpers for the portable tests, which run under pytest on CPython and under
# host_tests/mp_runner.py on the MicroPython unix port: corpus location, file reading.
# Only what both runtimes have: os.getenv, os.stat, open, json.
import json
import os


class Skip(Exception):
    """Raised to skip a test under the MicroPython runner (pytest.skip on CPython)."""


def _skip(message):
    try:
        import pytest
    except ImportError:
        raise Skip(message)
    pytest.skip(message)


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _parent(path):
    return path.rsplit("/", 1)[0] if "/" in path else "."


def repo_root():
    return _parent(_parent(_parent(__file__.replace("\\", "/"))))


def corpus_dir():
    """The telegram corpus: $HANPORT_CORPUS or ../shared/telegrams beside the checkout.
    Missing: a failure when CI=true, a skip elsewhere."""
    path = os.getenv("HANPORT_CORPUS") or repo_root() + "/../shared/telegrams"
    if _exists(path + "/manifest.json"):
        return path
    message = "telegram corpus not found at %s (set HANPORT_CORPUS)" % path
    if os.getenv("CI") == "true":
        raise AssertionError(message + "; it is required when CI=true")
    _skip(message)


def corpus_files(suffix, prefix=""):
    path = corpus_dir()
    return [(name, path + "/" + name) for name in sorted(os.listdir(path)) if name.endswith(suffix) and name.startswith(prefix)]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_json(path):
    with open(path) as f:
        return json.load(f)


def expected(name):
    """The reference tokenization of corpus file `name` (a .txt)."""
    return read_json(corpus_dir() + "/expected/" + name[:-4] + ".json")


def telegram(lines, header="XXX5test", crc=True, eol="\r\n"):
    """Build a telegram from OBIS lines with a correct CRC (independent bitwise CRC from
    tools/telegen.py, not the firmware's table/viper one)."""
    from telegen import crc16_arc

    body = ("/" + header + eol + eol + eol.join(lines) + eol + "!").encode()
    if not crc:
        return body + eol.encode()
    return body + ("%04X" % crc16_arc(body)).encode() + eol.encode()


class Collector:
    """on_telegram callback that keeps what tests need; allocation-free when counting."""

    def __init__(self, keep=True):
        self.keep = keep
        self.count = 0
        self.bad = 0
        self.items = []

    def __call__(self, reading, framer):
        if reading is None:
            self.bad += 1
            return
        self.count += 1
        if self.keep:
            self.items.append(reading.to_dict())


class BytesSource:
    """A serial source (readinto(buf) -> n, never blocks) that gives these bytes, then silence."""

    def __init__(self, data):
        self.data = data

    def readinto(self, buf):
        n = min(len(buf), len(self.data))
        buf[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def feed_framer(framer, data, chunk, take):
    """Feed data to a Framer in chunks of `chunk` bytes; call take() for each telegram (it must
    release() the framer), and once more after flush() at the end of the stream."""
    for s in range(0, len(data), chunk):
        part = data[s : s + chunk]
        i = 0
        while i < len(part):
            i = framer.feed(part, i, len(part))
            if framer.ready:
                take()
    if framer.flush():
        take()


def tmpdir(name):
    """An empty scratch folder for this test and process (both runtimes)."""
    base = (os.getenv("TMPDIR") or "/tmp") + "/hanport-test-" + name + "-" + str(os.getpid() if hasattr(os, "getpid") else 0)
    try:
        os.mkdir(base)
    except OSError:
        pass
    for entry in os.listdir(base):
        os.remove(base + "/" + entry)
    return base


def form_body(keys, current, changes):
    """The urlencoded body a browser sends for a form showing `keys`: every field (secrets
    empty = unchanged), checked boxes as "on", unchecked ones absent; `changes` override."""
    values = {}
    for key in keys:
        values[key] = "" if key.endswith("password") or key.endswith("token") else current[key]
    for key in changes:
        values[key] = changes[key]
    parts = []
    for key in sorted(values):
        value = values[key]
        if value is True:
            value = "on"
        elif value is False:
            continue
        parts.append(_quote(key) + "=" + _quote(str(value)))
    return "&".join(parts).encode()


def _quote(text):
    out = ""
    for b in text.encode():
        ch = chr(b)
        out += ch if (ch.isalpha() and b < 128) or ch.isdigit() or ch in ".-_" else "%%%02X" % b
    return out


def hour_text(key):
    """An hourly ring row's key YYMMDDHH (svc/hourly.py) as /api/hours names the hour: 'YYYY-MM-DDTHH:00'."""
    return "20%02d-%02d-%02dT%02d:00" % (key // 1000000, key // 10000 % 100, key // 100 % 100, key % 100)
