# The one clock compat module: time.ticks_ms/ticks_diff/ticks_add and an awaitable sleep_ms,
# from MicroPython where they exist, emulated on CPython. Services take time only from here.
# Imports time and asyncio only.
import asyncio
import time

try:
    ticks_ms = time.ticks_ms
    ticks_diff = time.ticks_diff
    ticks_add = time.ticks_add
except AttributeError:  # CPython: same wrap-around arithmetic as MicroPython's 2**30 ticks
    _PERIOD = 1 << 30
    _HALF = _PERIOD >> 1
    _T0 = time.monotonic()

    def ticks_ms():
        return int((time.monotonic() - _T0) * 1000) & (_PERIOD - 1)

    def ticks_diff(a, b):
        return ((a - b + _HALF) & (_PERIOD - 1)) - _HALF

    def ticks_add(a, delta):
        return (a + delta) & (_PERIOD - 1)


if hasattr(asyncio, "sleep_ms"):
    sleep_ms = asyncio.sleep_ms
else:

    def sleep_ms(ms):
        return asyncio.sleep(ms / 1000)
