# The update's bundle reader (core/update/bundlein.py) on both runtimes: a good bundle in chunks
# of any size arrives whole; each damage, a foreign bundle, a path outside the application
# folder and too little flash are refused with a message, and nothing else is written.
import hashlib
import json
from binascii import hexlify

from hanport.core.update.bundlein import MARGIN, BundleError, BundleReader, safe_path

DEVICE = {"board": "esp32-devkitc", "arch": "xtensawin", "mpy": "6.3"}
FILES = [
    ("hanport/__init__.mpy", b"M\x06" + bytes(range(200))),
    ("www/status.html.gz", b"\x1f\x8b" * 700),
    ("umqtt/simple.mpy", b"M\x06"),
]


def make(files=FILES, **header):
    """A bundle as tools/bundle.py writes one."""
    head = {"format": 1, "version": "9.9.9", "files": len(files), "bytes": sum(len(b) for _, b in files)}
    head.update(DEVICE)
    head.update(header)
    out = bytearray(b"HANPORT-BUNDLE 1\n")
    out += json.dumps(head).encode() + b"\n"
    for path, body in files:
        out += b"F %d %s %s\n" % (len(body), hexlify(hashlib.sha256(body).digest()), path.encode())
        out += body
    out += b"END " + hexlify(hashlib.sha256(out).digest()) + b"\n"
    return bytes(out)


class Stage:
    def __init__(self):
        self.files = {}

    def __call__(self, path):
        stage = self

        class Writer:
            def write(self, data):
                stage.files[path] = stage.files.get(path, b"") + bytes(data)

            def close(self):
                pass

        stage.files[path] = b""
        return Writer()


def receive(data, chunk=97, free=1 << 20):
    stage = Stage()
    reader = BundleReader(DEVICE, free, stage, hashlib.sha256)
    for i in range(0, len(data), chunk):
        reader.feed(data[i : i + chunk])
    return reader.finish(), stage.files


def refused(data, chunk=97, free=1 << 20):
    try:
        receive(data, chunk, free)
    except BundleError as e:
        return str(e)
    raise AssertionError("accepted")


def test_a_good_bundle_arrives_whole_in_any_chunks():
    data = make()
    for chunk in (1, 7, 512, len(data)):
        header, files = receive(data, chunk)
        assert header["version"] == "9.9.9" and files == dict(FILES), chunk


def test_damage_foreign_bundles_and_bad_paths_are_refused_with_a_message():
    data = make()
    body_at = data.index(b"\x1f\x8b") + 10
    flipped = bytearray(data)
    flipped[body_at] ^= 1
    assert "www/status.html.gz is damaged" in refused(bytes(flipped))
    assert "ends early" in refused(data[:-30])
    assert "after the end" in refused(data + b"x")
    assert "board 'esp32-s3-devkitc'" in refused(make(board="esp32-s3-devkitc"))
    assert "arch" in refused(make(arch="xtensa")) and "mpy" in refused(make(mpy="6.1"))
    assert "outside the application folder" in refused(make([("../config.json", b"{}")]))
    assert "outside the application folder" in refused(make([("/config.json", b"{}")]))
    assert "outside the application folder" in refused(make([("main.py", b"x=1")]))
    assert "flash" in refused(data, free=MARGIN + 100)
    assert "not a hanport bundle" in refused(b"GET / HTTP/1.0\r\n\r\n" + data)
    header_flip = bytearray(data)
    header_flip[data.index(b'"9.9.9"') + 1] = ord("8")  # the header itself: the closing hash sees it
    assert "closing hash" in refused(bytes(header_flip))


def test_paths():
    assert safe_path("hanport/core/p1/parser.mpy") and safe_path("www/style.css.gz")
    for bad in ("", "/x", "a/../b", "a//b", "./a", "a b", "boot.py", "appslot.mpy", "board.json", "x\\y", "a" * 200):
        assert not safe_path(bad), bad
