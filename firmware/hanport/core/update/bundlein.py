# Reads a release bundle (tools/bundle.py's format) in chunks of any size, with constant memory:
# the header against this device (format, board, architecture, .mpy version, free flash), each
# file's path and SHA-256 as it passes, the closing hash of everything. Writes through a staging
# port; the first mismatch stops it with a message. Pure core: no machine/network/socket/time.
import json
from binascii import hexlify

from hanport.core.const import const

MAGIC = b"HANPORT-BUNDLE 1\n"
LINE_CAP = const(512)  # a header or file line; a longer one is not a bundle of ours
MARGIN = const(16384)  # flash kept free beyond the bundle's files (the config, logs, the ring)
_MAX_FILES = const(400)
_MAX_PATH = const(120)
_MAGIC = const(0)
_HEADER = const(1)
_RECORD = const(2)
_BODY = const(3)
_END = const(4)
_DONE = const(5)
_KEPT = ("main.py", "boot.py", "appslot.py", "appslot.mpy", "board.json")
_PATH_CHARS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/"


class BundleError(Exception):
    pass


def safe_path(path):
    """A path inside the application folder: relative, no '..', no empty part, plain characters,
    not one of the files the device keeps (main.py, boot.py, appslot: they pick the folder)."""
    if not path or len(path) > _MAX_PATH or path[0] == "/" or path in _KEPT:
        return False
    for ch in path.encode():
        if ch not in _PATH_CHARS:
            return False
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return False
    return True


class BundleReader:
    """feed(data) as it arrives, then finish(). expect: {"board", "arch", "mpy"} of this device;
    free_bytes: flash free for the staging folder; stage: open(path) -> writer (write, close);
    sha256: hashlib.sha256. Raises BundleError with a message for people."""

    def __init__(self, expect, free_bytes, stage, sha256):
        self.expect = expect
        self.free_bytes = free_bytes
        self.stage = stage
        self.sha256 = sha256
        self.whole = sha256()
        self.line = bytearray(LINE_CAP)
        self.line_len = 0
        self.state = _MAGIC
        self.header = None
        self.files_left = 0
        self.bytes_left = 0  # of all files, per the header
        self.body_left = 0  # of the current file
        self.body_hash = None
        self.body_digest = None
        self.path = None
        self.writer = None
        self.received = 0

    def _fail(self, text):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.state = _DONE
        raise BundleError(text)

    def feed(self, data):
        if self.state == _DONE:
            self._fail("bytes after the end of the bundle")
        mv = memoryview(data)
        i = 0
        n = len(data)
        self.received += n
        while i < n:
            if self.state == _BODY:
                take = min(self.body_left, n - i)
                piece = mv[i : i + take]
                self.whole.update(piece)
                self.body_hash.update(piece)
                self.writer.write(piece)
                self.body_left -= take
                i += take
                if not self.body_left:
                    self._file_done()
                continue
            if self.state == _DONE:
                self._fail("bytes after the end of the bundle")
            b = data[i]
            i += 1
            if self.line_len >= LINE_CAP:
                self._fail("not a hanport bundle (a line longer than %d bytes)" % LINE_CAP)
            self.line[self.line_len] = b
            self.line_len += 1
            if self.state == _MAGIC and self.line_len == len(MAGIC):
                if bytes(self.line[: self.line_len]) != MAGIC:
                    self._fail("not a hanport bundle")
                self._line_done()
            elif b == 0x0A and self.state != _MAGIC:
                self._line_done()

    def _line_done(self):
        line = bytes(self.line[: self.line_len])
        self.line_len = 0
        if self.state == _END:
            self._check_end(line)
            return
        self.whole.update(line)
        if self.state == _MAGIC:
            self.state = _HEADER
        elif self.state == _HEADER:
            self._check_header(line)
        else:
            self._start_file(line)

    def _check_header(self, line):
        try:
            header = json.loads(line)
            fmt, version, files, size = header["format"], header["version"], header["files"], header["bytes"]
        except (ValueError, KeyError, TypeError):
            self._fail("not a hanport bundle (its header does not read)")
        if fmt != 1:
            self._fail("bundle format %r: this version reads format 1" % (fmt,))
        if not isinstance(version, str) or not 0 < len(version) <= 16:
            self._fail("not a hanport bundle (its version)")
        for key in ("board", "arch", "mpy"):
            if header.get(key) != self.expect[key]:
                self._fail("a bundle for %s %r, this device is %r" % (key, header.get(key), self.expect[key]))
        if not isinstance(files, int) or not 0 < files <= _MAX_FILES or not isinstance(size, int) or size < 0:
            self._fail("not a hanport bundle (its file count or size)")
        if size + MARGIN > self.free_bytes:
            self._fail("it needs %d bytes of flash and %d are free" % (size + MARGIN, self.free_bytes))
        self.header = header
        self.files_left = files
        self.bytes_left = size
        self.state = _RECORD if files else _END

    def _start_file(self, line):
        try:
            tag, size, digest, path = line[:-1].decode().split(" ", 3)
            size = int(size)
            from binascii import unhexlify

            digest = unhexlify(digest)
        except (ValueError, UnicodeError):
            self._fail("not a hanport bundle (a file line does not read)")
        if tag != "F" or len(digest) != 32 or size < 0 or size > self.bytes_left:
            self._fail("not a hanport bundle (a file line does not read)")
        if not safe_path(path):
            self._fail("a file outside the application folder: %r" % path[:_MAX_PATH])
        self.path = path
        self.body_left = size
        self.bytes_left -= size
        self.body_digest = digest
        self.body_hash = self.sha256()
        self.writer = self.stage(path)
        self.state = _BODY
        if not size:
            self._file_done()

    def _file_done(self):
        self.writer.close()
        self.writer = None
        if self.body_hash.digest() != self.body_digest:
            self._fail("%s is damaged (its SHA-256 differs)" % self.path)
        self.files_left -= 1
        self.state = _RECORD if self.files_left else _END

    def _check_end(self, line):
        expected = b"END " + hexlify(self.whole.digest()) + b"\n"
        if line != expected:
            self._fail("the bundle is damaged (its closing hash differs)")
        self.state = _DONE

    def finish(self):
        """Raises unless the whole bundle came and checked out; returns its header."""
        if self.state != _DONE:
            self._fail("the bundle ends early (%d bytes received)" % self.received)
        return self.header
