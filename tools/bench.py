#!/usr/bin/env python3
# `make bench`: decode the same stream of Swedish telegrams with hanport and with dsmr_parser
# (PyPI, SWEDEN spec, TelegramBuffer + TelegramParser) on CPython, rounds interleaved so
# machine noise hits both alike; then hanport under the MicroPython unix port (tools/bench_mp.py).
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "firmware"), os.path.join(ROOT, "tools")]

from hanport.core.native import VARIANT  # noqa: E402
from hanport.core.p1.decoder import Decoder  # noqa: E402
from telegen import STYLES, SwedishMeter  # noqa: E402

TELEGRAMS = 5000
ROUNDS = 7
CHUNK = 4096


def make_stream():
    per_style = TELEGRAMS // len(STYLES)
    parts = []
    for seed, style in enumerate(sorted(STYLES)):
        meter = SwedishMeter(seed=seed + 1, style=style)
        parts.extend(meter.telegram() for _ in range(per_style))
    return b"".join(parts), per_style * len(STYLES)


def run_hanport(data):
    count = [0]

    def on_telegram(reading, framer):
        if reading is not None:
            count[0] += 1

    dec = Decoder(on_telegram)
    t0 = time.perf_counter()
    for i in range(0, len(data), CHUNK):
        dec.feed(data, i, min(i + CHUNK, len(data)))
    return time.perf_counter() - t0, count[0]


def run_dsmr_parser(text):
    from dsmr_parser import telegram_specifications
    from dsmr_parser.clients.telegram_buffer import TelegramBuffer
    from dsmr_parser.parsers import TelegramParser

    buffer = TelegramBuffer()
    parser = TelegramParser(telegram_specifications.SWEDEN)
    count = 0
    t0 = time.perf_counter()
    for i in range(0, len(text), CHUNK):  # as its serial client does: append, then drain
        buffer.append(text[i : i + CHUNK])
        for telegram in buffer.get_all():
            parser.parse(telegram)
            count += 1
    return time.perf_counter() - t0, count


def main():
    data, n = make_stream()
    text = data.decode("ascii")  # dsmr_parser wants str; decoding is not timed
    ours, theirs = [], []
    for _ in range(ROUNDS):
        t, c = run_hanport(data)
        if c != n:
            sys.exit("hanport decoded %d of %d telegrams" % (c, n))
        ours.append(t / n * 1e6)
        t, c = run_dsmr_parser(text)
        if c != n:
            sys.exit("dsmr_parser decoded %d of %d telegrams" % (c, n))
        theirs.append(t / n * 1e6)
    best_o, best_t = min(ours), min(theirs)
    med_o, med_t = statistics.median(ours), statistics.median(theirs)
    print("Decoding %d Swedish telegrams (%d bytes, 4 meter styles), %d interleaved rounds" % (n, len(data), ROUNDS))
    print("CPython %s" % sys.version.split()[0])
    print("  %-34s %9s %9s" % ("", "best", "median"))
    print("  %-34s %7.1f us %7.1f us" % ("dsmr_parser 1.x (SWEDEN)", best_t, med_t))
    print("  %-34s %7.1f us %7.1f us" % ("hanport (crc: %s)" % VARIANT, best_o, med_o))
    print("  %-34s %8.1fx %8.1fx   (target >= 5x, stretch 10x)" % ("speed-up", best_t / best_o, med_t / med_o))
    sys.stdout.flush()
    # The same comparison as whole processes: tools/p1decode.py vs dsmr_parser to JSON lines.
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_whole.py")], check=True)
    sys.stdout.flush()
    micropython = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(micropython):
        subprocess.run([micropython, "-X", "heapsize=4m", os.path.join(ROOT, "tools", "bench_mp.py")], check=True)
        sys.stdout.flush()
        subprocess.run([micropython, "-X", "heapsize=256k", os.path.join(ROOT, "tools", "bench_peaks.py")], check=True)
        sys.stdout.flush()
        sys.stdout.flush()
        for runtime in ([sys.executable], [micropython, "-X", "heapsize=1m"]):
            subprocess.run(runtime + [os.path.join(ROOT, "tools", "bench_hdlc.py")], check=True)
            sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_e2e.py")], check=True)
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_pollers.py"), "120"], check=True)
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_update.py")], check=True)  # issue 18
        sys.stdout.flush()
    # The heap on the 32-bit VM, per mode, against the classic ESP32's budget (make mem runs the
    # full 130 simulated minutes; 30 here); an over-budget mode is printed, not fatal, here.
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mem.py"), "--minutes", "30"], check=False)
    sys.stdout.flush()
    # The damage campaign takes minutes (make fuzz): its last run is shown, not run again.
    last = os.path.join(ROOT, "build", "fuzz-last.json")
    if os.path.exists(last):
        with open(last) as f:
            fuzz = json.load(f)
        print("\nLast damage campaign (make fuzz; %s):\n%s" % (fuzz["sources"], fuzz["table"]))
    else:
        print("\nNo damage campaign run yet: make fuzz")
    if not os.path.exists(micropython):
        print("MicroPython unix port not found at %s: skipped" % micropython)


if __name__ == "__main__":
    main()
