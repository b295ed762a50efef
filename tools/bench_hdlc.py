#!/usr/bin/env python3
# `make bench`, binary meters: Swedish Aidon-style HDLC frames (581 bytes, tools/hdlcgen.py)
# through HDLC checks + DLMS list decoding, per frame, on this runtime; under CPython also the
# independent PyPI amshan decoder on the same frames as the baseline, and bytes allocated per
# frame on MicroPython. Usage: bench_hdlc.py (any runtime)
import gc
import sys
import time

_here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
sys.path.insert(0, _here + "/../firmware")
sys.path.insert(0, _here)

from hanport.core.binary.bindecoder import HdlcDecoder  # noqa: E402
from hdlcgen import aidon_frame  # noqa: E402
from telegen import SwedishMeter  # noqa: E402

N = 2000


def _us():
    return time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)


class Count:
    def __init__(self):
        self.n = 0

    def __call__(self, reading, verdict):
        if reading is not None:
            self.n += 1


def main():
    meter = SwedishMeter(7, "aidon", 10)
    frames = [aidon_frame(meter) for _ in range(20)]
    count = Count()
    dec = HdlcDecoder(count)
    for f in frames:
        dec.feed(f)  # warm-up
    gc.collect()
    micro = hasattr(gc, "mem_alloc")
    alloc0 = gc.mem_alloc() if micro else 0
    if micro:
        gc.disable()
    t0 = _us()
    for k in range(N):
        dec.feed(frames[k % 20])
    dt = _us() - t0
    alloc = gc.mem_alloc() - alloc0 if micro else 0
    if micro:
        gc.enable()
    if count.n != N + 20:
        raise SystemExit("decoded %d of %d" % (count.n, N + 20))
    name = sys.implementation.name
    print("binary meters (%s): hanport HDLC+DLMS %8.1f us/frame (%d frames of %d bytes)" % (name, dt / N, N, len(frames[0])))
    if micro:
        print("  heap allocated             %8d bytes/frame (target 0)" % (alloc // N))
        return
    try:
        from han import autodecoder
    except ImportError:
        print("  amshan baseline: not installed")
        return
    payloads = [f[9:-3] for f in frames]  # LLC + APDU, as amshan takes it
    auto = autodecoder.AutoDecoder()
    t0 = _us()
    for k in range(N // 10):
        auto.decode_message_payload(payloads[k % 20])
    dt = _us() - t0
    print("  amshan 2.1.1 baseline     %8.1f us/frame (DLMS only, no HDLC checks; %d frames)" % (dt / (N // 10), N // 10))


main()
