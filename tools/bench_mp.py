# MicroPython half of `make bench`: decode speed and heap bytes allocated per telegram with
# the whole decoder (framer + CRC + parser), after warm-up, gc disabled while measuring.
import gc
import sys
import time

_here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
sys.path.insert(0, _here + "/../firmware")
sys.path.insert(0, _here)

import micropython  # noqa: E402

from hanport.core.native import VARIANT  # noqa: E402
from hanport.core.p1.decoder import Decoder  # noqa: E402
from telegen import STYLES, SwedishMeter  # noqa: E402

DISTINCT = 200  # distinct telegrams, decoded 25 times over: 5,000 decodes
REPEAT = 25


class Count:
    def __init__(self):
        self.n = 0

    def __call__(self, reading, framer):
        if reading is not None:
            self.n += 1


def main():
    styles = sorted(STYLES)
    telegrams = []
    for i in range(DISTINCT):
        meter = SwedishMeter(seed=i + 1, style=styles[i % len(styles)])
        telegrams.append(meter.telegram())
    count = Count()
    dec = Decoder(count)
    for t in telegrams:
        dec.feed(t)  # warm-up
    gc.collect()
    before_free = gc.mem_free()
    gc.disable()
    alloc0 = gc.mem_alloc()
    t0 = time.ticks_us()
    for _ in range(REPEAT):
        for t in telegrams:
            dec.feed(t)
    dt = time.ticks_diff(time.ticks_us(), t0)
    alloc = gc.mem_alloc() - alloc0
    gc.enable()
    n = DISTINCT * REPEAT
    if count.n != n + DISTINCT:
        raise SystemExit("decoded %d of %d" % (count.n, n + DISTINCT))
    gc.collect()
    micropython.heap_lock()
    try:
        dec.feed(telegrams[0])
        locked = "yes"
    except MemoryError:
        locked = "NO"
    micropython.heap_unlock()
    print("MicroPython %s unix port (crc: %s)" % (".".join(str(v) for v in sys.implementation.version[:3]), VARIANT))
    print("  hanport decode           %7.1f us/telegram  (%d telegrams)" % (dt / n, n))
    print("  heap allocated           %7d bytes/telegram (target 0; total %d bytes)" % (alloc // n, alloc))
    print("  decode under heap_lock   %7s" % locked)
    print("  heap free after set-up   %7d bytes" % before_free)


main()
