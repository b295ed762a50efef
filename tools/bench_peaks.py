# `make bench`, effekttariff part (MicroPython unix port): two months of 10-second telegrams
# (Jan + Feb 2026, 267,840 in January) through the hour accounting and a 3-days-with-half-nights rule. Prints
# the time per telegram and the heap after gc.collect() at each month's end: no growth.
import gc
import sys
import time

_here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
sys.path.insert(0, _here + "/../firmware")

import micropython  # noqa: E402

from hanport.core.tariff.billing import PeakTracker, schedule_for  # noqa: E402
from hanport.core.tariff.periods import Periods  # noqa: E402

_MONTHS = ((1, 31), (2, 28))
_RULE = "top=3 days night=22-6*1/2"  # the heaviest shape: distinct days and weighted nights


def main():
    tracker = PeakTracker("custom", schedule_for("custom", _RULE))
    periods = Periods(60)
    wh = 10000000
    heap = []
    closed = 0
    gc.collect()
    start_free = gc.mem_free()
    t0 = time.ticks_ms()
    telegrams = 0
    for month, days in _MONTHS:
        for day in range(1, days + 1):
            yymmdd = 260000 + month * 100 + day
            for second in range(0, 86400, 10):
                hhmmss = second // 3600 * 10000 + second // 60 % 60 * 100 + second % 60
                wh += 1 + (day * 7 + second // 3600) % 9  # 0.4-3.6 kW, a different profile per hour
                if periods.feed(yymmdd, hhmmss, 0, wh, 0):
                    tracker.add(
                        periods.closed_day,
                        periods.closed_minute,
                        periods.closed_minutes,
                        periods.closed_import_wh,
                        periods.closed_complete,
                    )
                    closed += 1
                telegrams += 1
        gc.collect()
        heap.append(gc.mem_free())  # the month's candidates (<= 31 a set) are all there now
    elapsed = time.ticks_diff(time.ticks_ms(), t0)
    # Within an hour the accounting allocates nothing: proven with the heap locked.
    micropython.heap_lock()
    try:
        for s in range(10, 3590, 10):
            periods.feed(260301, s // 60 * 100 + s % 60, 0, wh, 0)
    finally:
        micropython.heap_unlock()
    print(
        "effekttariff, MicroPython unix port: %d telegrams (Jan+Feb at 10 s), %d hours, %.1f us/telegram; "
        "heap free after gc: start %d, end of January %d, end of February %d; no allocation within an hour (heap_lock)"
        % (telegrams, closed, elapsed * 1000 / telegrams, start_free, heap[0], heap[1])
    )
    print("billed (%s): %d W" % (_RULE, tracker.result()["billed_w"]))


main()
