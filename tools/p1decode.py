#!/usr/bin/env python3
# Decode a raw HAN/P1 capture (file or stdin) into JSON lines, identical on CPython and the
# MicroPython unix port: per telegram {"crc_ok", "header", "obis", "reading"}; binary meters with
# --hdlc (raw bytes) or --hex (hex text, as the corpus .hex files) per frame {"frame_ok", "apdu",
# "verdict", "reading"}. Usage: p1decode.py [--stats] [--hex|--hdlc] [--key HEX] [--kamstrup-wh 1|10] [FILE|-]
import sys

from rawinput import add_firmware_to_path, chunks  # noqa: E402

add_firmware_to_path()

from hanport.core.jsonfmt import dumps  # noqa: E402
from hanport.core.p1.framer import CRC_BAD, CRC_OK, Framer  # noqa: E402
from hanport.core.p1.parser import Parser  # noqa: E402
from hanport.core.p1.textview import tokenize  # noqa: E402
from hanport.core.reading import Reading  # noqa: E402

_trusted_dumps = dumps
if sys.implementation.name == "cpython":  # C encoder and regexes, byte for byte the same output
    from fastjson import dumps as _fast_dumps  # noqa: E402
    from fastparse import FastParser as Parser  # noqa: E402, F811
    from fasttokens import Tokenizer  # noqa: E402

    tokenize = Tokenizer().tokenize  # noqa: F811 - tools/fasttokens.py

    def _trusted_dumps(record):  # noqa: F811 - records made from a telegram's text only
        return _fast_dumps(record, True)


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
        self.out.write(_trusted_dumps(record) + "\n")

    def stats(self):
        s = self.framer.stats()
        p = self.parser.stats()
        for k in p:
            s["parser_" + k] = p[k]
        return s


class BinaryPrinter:
    """HDLC frames (or one raw APDU without a link layer, as some corpus files hold)."""

    def __init__(self, out, key=None, kamstrup_energy_wh=1):
        from hanport.core.binary.bindecoder import HdlcDecoder

        cipher = None
        if key is not None:
            from hanport.aes import glo_cipher

            cipher = glo_cipher(key)
        self.decoder = HdlcDecoder(self._emit, None, kamstrup_energy_wh, cipher)
        self.out = out
        self.head = None  # the first bytes decide: 0x7E opens HDLC, anything else is an APDU
        self.raw = bytearray()

    def feed(self, data):
        if self.head is None and data:
            self.head = data[0]
        if self.head == 0x7E:
            self.decoder.feed(data)
        elif len(self.raw) + len(data) <= 8192:
            self.raw.extend(data)

    def flush(self):
        if self.head is not None and self.head != 0x7E:
            self._emit_apdu(self.raw, 0, len(self.raw))

    def _emit(self, reading, verdict):
        framer = self.decoder.framer
        self._record(framer.payload, framer.payload_start, framer.payload_end, True, verdict, reading)

    def _emit_apdu(self, buf, start, end):
        from hanport.core.binary.dlms import OK

        d = self.decoder
        verdict = d.dlms.decode(buf, start, end, d.reading)
        self._record(buf, start, end, None, verdict, d.reading if verdict == OK else None)

    def _record(self, buf, start, end, frame_ok, verdict, reading):
        from hanport.core.binary.dlms import VERDICTS
        from hanport.core.binary.hdlc import classify_apdu

        record = {"frame_ok": frame_ok, "apdu": classify_apdu(buf, start, end), "verdict": VERDICTS[verdict]}
        if reading is not None:
            record["reading"] = reading.to_dict()
        self.out.write(dumps(record) + "\n")

    def stats(self):
        return self.decoder.stats()


def hex_chunks(chunks_in):
    """Hex text (any whitespace) -> bytes, chunk by chunk."""
    from binascii import unhexlify

    pending = b""
    for chunk in chunks_in:
        digits = pending + b"".join(chunk.split())
        even = len(digits) - len(digits) % 2
        pending = digits[even:]
        if even:
            yield unhexlify(digits[:even])


def main(argv):
    stats = False
    path = "-"
    mode = "ascii"
    key = None
    kamstrup = 1
    usage = "usage: p1decode.py [--stats] [--hex|--hdlc] [--key HEX] [--kamstrup-wh 1|10] [FILE|-]\n"
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--stats":
            stats = True
        elif arg in ("--hex", "--hdlc"):
            mode = arg[2:]
        elif arg == "--key" and args:
            from hanport.aes import parse_key

            key = parse_key(args.pop(0))
            if key is None:
                sys.stderr.write("--key needs 32 hex digits (AES-128)\n")
                return 2
        elif arg == "--kamstrup-wh" and args:
            kamstrup = int(args.pop(0))
        elif arg in ("-h", "--help"):
            sys.stdout.write(usage)
            return 0
        else:
            path = arg
    printer = Printer(sys.stdout) if mode == "ascii" else BinaryPrinter(sys.stdout, key, kamstrup)
    source = chunks(path, _CHUNK)
    for chunk in hex_chunks(source) if mode == "hex" else source:
        printer.feed(chunk)
    printer.flush()
    if stats:
        sys.stderr.write(dumps({"stats": printer.stats()}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
