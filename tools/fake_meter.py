#!/usr/bin/env python3
# The virtual meter: writes generated Swedish telegrams (tools/telegen.py) into a pty at the
# meter's cadence or faster, like a HAN port's TX line. Writes never block: bytes the reader
# did not drain in time are counted as lost, as a UART would lose them.
# Usage: fake_meter.py [--link PATH] [--interval S] [--rate N/s] [--count N] [--truth FILE]
#        [--format ascii|hdlc] [--invert] ...
import argparse
import json
import os
import pty
import signal
import sys
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hdlcgen import aidon_frame  # noqa: E402
from telegen import STYLES, SwedishMeter  # noqa: E402


def _stop(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--link", help="create this symlink to the pty the firmware should open")
    ap.add_argument("--interval", type=int, default=10, help="meter clock seconds per telegram (default 10)")
    ap.add_argument("--rate", type=float, default=None, help="telegrams per wall-clock second (default: 1/interval)")
    ap.add_argument("--count", type=int, default=0, help="stop after N telegrams (0: run forever)")
    ap.add_argument("--style", default="aidon", choices=sorted(STYLES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=None, help="meter clock start, UTC seconds since 1970")
    ap.add_argument("--truth", help="append the values of every telegram sent, one JSON line each")
    ap.add_argument("--silent", action="store_true", help="open the pty but send nothing (port not activated)")
    ap.add_argument("--delay", type=float, default=0, help="seconds to wait before the first telegram")
    ap.add_argument("--format", default="ascii", choices=("ascii", "hdlc"), help="hdlc: binary Aidon-style frames")
    ap.add_argument("--invert", action="store_true", help="send every byte complemented (a wrongly inverted line)")
    ap.add_argument("--key", help="hdlc: encrypt with this AES-128 key (32 hex digits)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _stop)  # report what was sent when the test stops us

    master, slave = pty.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    name = os.ttyname(slave)
    if args.link:
        if os.path.lexists(args.link):
            os.remove(args.link)
        os.symlink(name, args.link)
    print("fake_meter: pty %s%s" % (name, " -> " + args.link if args.link else ""), flush=True)
    meter = SwedishMeter(seed=args.seed, style=args.style, interval=args.interval, start_utc=args.start)
    period = 1.0 / args.rate if args.rate else float(args.interval)
    truth = open(args.truth, "a") if args.truth else None
    sent = lost = 0
    next_t = time.monotonic() + args.delay
    try:
        while not args.count or sent < args.count:
            now = time.monotonic()
            if now < next_t:
                time.sleep(min(next_t - now, 0.5))
                continue
            next_t += period
            if args.silent:
                continue
            if args.format == "hdlc":
                data = aidon_frame(meter, bytes.fromhex(args.key) if args.key else None, sent + 1)
            else:
                data = meter.telegram()
            if args.invert:
                data = bytes(b ^ 0xFF for b in data)
            try:
                n = os.write(master, data)
            except BlockingIOError:
                n = 0
            lost += len(data) - n
            sent += 1
            if truth:
                truth.write(json.dumps(meter.truth) + "\n")
                truth.flush()
        time.sleep(1.0)  # let the reader drain the last telegram
    except KeyboardInterrupt:
        pass
    finally:
        print("fake_meter: sent %d telegrams, %d bytes lost" % (sent, lost), flush=True)
        if args.link and os.path.islink(args.link):
            os.remove(args.link)


if __name__ == "__main__":
    main()
