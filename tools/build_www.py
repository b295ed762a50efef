#!/usr/bin/env python3
# Pre-compresses the dongle's pages (firmware/www/*.html, *.css) to .gz beside them: the device
# serves the .gz bytes as they are (Content-Encoding: gzip), since MicroPython's deflate module
# can only decompress. Deterministic output (mtime 0); `make www` runs it, a test checks freshness.
import gzip
import os
import sys

WWW = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware", "www")


def sources(folder=WWW):
    return sorted(n for n in os.listdir(folder) if n.endswith((".html", ".css", ".js", ".svg")))


def compress(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


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
