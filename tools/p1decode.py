#!/usr/bin/env python3
# Decode a raw HAN/P1 byte stream (a capture file or stdin) into one JSON line per telegram:
#   {"crc_ok": true|false|null, "header": "...", "obis": {...}, "reading": {...}}
# Runs unchanged under CPython 3.10+ and the MicroPython unix port, with identical output.
# Usage: p1decode.py [--stats] [FILE|-]
import sys

from rawinput import add_firmware_to_path, chunks  # noqa: E402

add_firmware_to_path()

from hanport.core.framer import CRC_BAD, CRC_OK, Framer  # noqa: E402
from hanport.core.jsonfmt import dumps  # noqa: E402
from hanport.core.parser import Parser  # noqa: E402
from hanport.core.reading import Reading  # noqa: E402
from hanport.core.tokens import tokenize  # noqa: E402

_CHUNK = 4096
_CRC_JSON = {CRC_OK: True, CRC_BAD: False}


class Printer:
    def __init__(self, out):
        self.framer = Framer()
        self.parser = Parser()
        self.reading = Reading()
        self.out = out

    def feed(self, data):
        framer = self.framer
        i = 0
        while i < len(data):
            i = framer.feed(data, i, len(data))
            if framer.ready:
                self.emit()

    def flush(self):
        if self.framer.flush():
            self.emit()

    def emit(self):
        framer = self.framer
        parsed = self.parser.parse(framer.buf, framer.length, self.reading)
        header, objects = tokenize(framer.buf, framer.length, self.parser)
        record = {"crc_ok": _CRC_JSON.get(framer.crc_state), "header": header, "obis": objects}
        if parsed and framer.crc_state != CRC_BAD:
            record["reading"] = self.reading.to_dict()
        framer.release()
        self.out.write(dumps(record) + "\n")

    def stats(self):
        s = self.framer.stats()
        p = self.parser.stats()
        for k in p:
            s["parser_" + k] = p[k]
        return s


def main(argv):
    stats = False
    path = "-"
    for arg in argv:
        if arg == "--stats":
            stats = True
        elif arg in ("-h", "--help"):
            sys.stdout.write("usage: p1decode.py [--stats] [FILE|-]\n")
            return 0
        else:
            path = arg
    printer = Printer(sys.stdout)
    for chunk in chunks(path, _CHUNK):
        printer.feed(chunk)
    printer.flush()
    if stats:
        sys.stderr.write(dumps({"stats": printer.stats()}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
