# tools/p1decode.py prints identical JSON under CPython and the MicroPython unix port for
# every corpus capture, and its "obis" part is the reference tokenization.
import json
import os
import subprocess
import sys

import pytest
from conftest import MICROPYTHON, ROOT
from support import corpus_files, expected

TOOL = os.path.join(ROOT, "tools", "p1decode.py")


def run(runtime, *args, stdin=None):
    proc = subprocess.run([runtime, TOOL, *args], capture_output=True, input=stdin, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def ascii_files():
    return corpus_files(".txt")


def test_same_output_on_both_runtimes_and_matches_reference(ascii_files):
    for name, path in ascii_files:
        out_cpython, _ = run(sys.executable, path)
        out_micropython, _ = run(MICROPYTHON, path)
        assert out_cpython == out_micropython, name
        lines = [json.loads(line) for line in out_cpython.decode().splitlines()]
        want = expected(name)
        assert len(lines) == len(want), name
        for got, ref in zip(lines, want):
            assert got["crc_ok"] == ref["crc_ok"], name
            if ref["crc_ok"] is False:
                assert "reading" not in got
                continue
            assert got["header"] == ref["header"] and got["obis"] == ref["objects"], name
            assert got["reading"]["meter_id"] == ref["header"]


def test_stdin_noise_and_stats():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from telegen import SwedishMeter

    meter = SwedishMeter(seed=21)
    stream = b"\xff\x00noise" + meter.telegram() + meter.telegram()[:300] + meter.telegram() + b"junk"
    for runtime in (sys.executable, MICROPYTHON):
        out, err = run(runtime, "--stats", "-", stdin=stream)
        lines = [json.loads(line) for line in out.decode().splitlines()]
        assert [line["crc_ok"] for line in lines] == [True, True]
        stats = json.loads(err.decode())["stats"]
        assert stats["ok"] == 2 and stats["truncated"] == 1 and stats["garbage"] == 11
