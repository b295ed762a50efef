#!/usr/bin/env python3
# Records the raw bytes of a meter's HAN port (a USB-serial adapter, or a pty) into a file that
# tools/p1decode.py reads: the first thing to ask of a user whose meter misbehaves. Ends after
# --seconds or --max-bytes, then says what it caught (telegrams, CRC errors, silence).
# Usage: capture.py PORT [--seconds 60] [--out FILE] [--baud 115200] [--max-bytes 1048576]
import os
import sys
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
from hanport.core.p1.decoder import Decoder  # noqa: E402

_BAUDS = {9600: termios.B9600, 2400: termios.B2400, 19200: termios.B19200, 115200: termios.B115200}


def open_raw(path, baud):
    """The port in raw mode, 8N1 (8E1 is for the binary meters of issue #7), reads return after
    0.1 s of silence. A pty ignores the speed."""
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY)
    try:
        attrs = termios.tcgetattr(fd)
        attrs[0] = 0  # iflag: no CR/LF translation, no flow control, no parity marking
        attrs[1] = 0  # oflag
        attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
        attrs[3] = 0  # lflag: no echo, not canonical
        attrs[4] = attrs[5] = _BAUDS[baud]
        attrs[6][termios.VMIN] = 0
        attrs[6][termios.VTIME] = 1
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass  # a plain file or FIFO: read it as it is
    return fd


def capture(path, out, seconds, max_bytes, baud=115200):
    fd = open_raw(path, baud)
    stats = {"ok": 0, "bad": 0}

    def on_telegram(reading, framer):
        stats["ok" if reading is not None else "bad"] += 1

    decoder = Decoder(on_telegram)
    total = 0
    end = time.monotonic() + seconds
    with open(out, "wb") as f:
        try:
            while time.monotonic() < end and total < max_bytes:
                chunk = os.read(fd, min(4096, max_bytes - total))
                if chunk:
                    f.write(chunk)
                    total += len(chunk)
                    decoder.feed(chunk)
                elif not os.isatty(fd) and not path.startswith("/dev/"):
                    break  # end of a plain file
        except KeyboardInterrupt:
            pass
        finally:
            os.close(fd)
    return total, stats


def verdict(total, stats, seconds):
    if total == 0:
        return (
            "no bytes at all in %d s: the port is probably not activated yet (ask your grid operator to open the "
            "customer port), or RJ12 pin 2 (data request) is not tied to +5 V, or the wiring is off" % seconds
        )
    if stats["ok"] == 0 and stats["bad"] == 0:
        return (
            "%d bytes but no telegram: an inverted signal looks like this (a USB-serial adapter needs an "
            "inverter in front), or the meter sends binary HDLC frames (older Swedish meters)" % total
        )
    if stats["bad"] > 0 and stats["ok"] == 0:
        return "telegrams arrive but every one is damaged: check the pull-up (1-4.7 kOhm to 3.3 V) and ground"
    return "%d good telegram(s), %d damaged" % (stats["ok"], stats["bad"])


def main(argv):
    if not argv or argv[0].startswith("-"):
        raise SystemExit("usage: capture.py PORT [--seconds 60] [--out FILE] [--baud 115200] [--max-bytes 1048576]")
    opts = dict(zip(argv[1::2], argv[2::2]))
    seconds = int(opts.get("--seconds", "60"))
    out = opts.get("--out") or time.strftime("capture-%Y%m%d-%H%M%S.bin")
    baud = int(opts.get("--baud", "115200"))
    if baud not in _BAUDS:
        raise SystemExit("--baud: one of %s" % sorted(_BAUDS))
    print("capturing %s for %d s into %s (Ctrl-C stops early)" % (argv[0], seconds, out), file=sys.stderr)
    total, stats = capture(argv[0], out, seconds, int(opts.get("--max-bytes", "1048576")), baud)
    print("%s: %d bytes; %s" % (out, total, verdict(total, stats, seconds)))
    print("decode it with: make decode FILE=%s   (send the file along when asking for help)" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
