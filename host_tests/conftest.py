# pytest set-up for the CPython side: the session's fixtures; the paths and binaries live in
# paths.py (which harness.py reads too, so the two never import each other).
import pytest  # noqa: E402

from paths import BIN, MICROPYTHON, MPY_CROSS, ROOT  # noqa: F401  (the tests import them from here)


@pytest.fixture(scope="session")
def mpy_build(tmp_path_factory):
    """firmware/ and umqtt.simple compiled to .mpy once per test session."""
    from harness import build_mpy

    return build_mpy(str(tmp_path_factory.mktemp("mpy")))
