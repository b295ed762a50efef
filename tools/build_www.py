#!/usr/bin/env python3
# Pre-compresses the dongle's pages (firmware/www/*.html, *.css) to .gz beside them: the device
# serves the .gz bytes as they are (Content-Encoding: gzip), since MicroPython's deflate module
# can only decompress. Deterministic output (mtime 0); `make www` runs it, a test checks freshness.
# A 1 KB window (WBITS 10): a client without gzip gets the page decompressed on the device, and
# decompressing needs a buffer of the window's size (the default 32 KB would not fit the heap).
import os
import sys
import zlib

WBITS = 10  # firmware/hanport/svc/web.py decompresses with the same value

WWW = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware", "www")


def sources(folder=WWW):
    return sorted(n for n in os.listdir(folder) if n.endswith((".html", ".css", ".js", ".svg")))


def compress(data):
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + WBITS, 9)  # 16+: gzip wrapper, mtime 0
    return packer.compress(data) + packer.flush()


def main():
    for name in sources():
        path = os.path.join(WWW, name)
        with open(path, "rb") as f:
            data = f.read()
        packed = compress(data)
        with open(path + ".gz", "wb") as f:
            f.write(packed)
        print("%-14s %6d -> %5d bytes" % (name, len(data), len(packed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
