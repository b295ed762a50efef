# Test-only: fills what the 32-bit WebAssembly MicroPython build lacks and the tests use
# (os.urandom). Imported by tools/mpwasm.mjs when --shims names this folder; never on a device.
import os
import random

if not hasattr(os, "urandom"):

    def _urandom(n):
        return bytes(random.getrandbits(8) for _ in range(n))

    os.urandom = _urandom
