# How a run ends, as the crash-loop guard sees it, with the real firmware process (.mpy build on
# the MicroPython unix port, and CPython for SIGTERM): Ctrl-C and SIGTERM are clean stops that
# never count; kill -9 and a MemoryError at start do, and the third such boot starts safe mode.
import json
import os
import signal
import sys

from harness import FakeMeter, Firmware, wait_for

SAFE = "safe mode"


def _boots(tmp_path):
    with open(os.path.join(str(tmp_path), "data", "boot.json")) as f:
        return json.load(f)["unhealthy_boots"]


def _run_until_reading(tmp_path, meter, mpy, runtime=None, heap="256k"):
    fw = Firmware(tmp_path, meter.link, heap=heap, runtime=runtime, extra=["--quiet"], mpy=mpy)
    wait_for(lambda: "meter: found" in fw.output(), 30, what=fw.output)
    return fw


def test_ctrl_c_and_sigterm_are_clean_stops(tmp_path, mpy_build):
    meter = FakeMeter(tmp_path, rate=4)
    try:
        for _ in range(3):
            fw = _run_until_reading(tmp_path, meter, mpy_build)
            assert SAFE not in fw.output()
            fw.proc.send_signal(signal.SIGINT)  # Ctrl-C (tools/run.sh forwards SIGTERM as this)
            fw.proc.wait(10)
            fw.reader.join(5)
            assert "stopped: a clean stop" in fw.output(), fw.output()
            assert _boots(tmp_path) == 0
        for _ in range(3):  # CPython has signals: SIGTERM itself is a clean stop
            fw = _run_until_reading(tmp_path, meter, None, runtime=sys.executable)
            fw.proc.send_signal(signal.SIGTERM)
            fw.proc.wait(10)
            fw.reader.join(5)
            assert "stopped: a clean stop" in fw.output() and SAFE not in fw.output(), fw.output()
            assert _boots(tmp_path) == 0
    finally:
        meter.stop()


def test_kill_9_and_memory_error_at_start_count_towards_safe_mode(tmp_path, mpy_build):
    meter = FakeMeter(tmp_path, rate=4)
    try:
        fw = Firmware(tmp_path, meter.link, heap="128k", extra=["--quiet"], mpy=mpy_build)  # too small: MemoryError
        fw.proc.wait(30)
        fw.reader.join(5)
        assert fw.proc.returncode != 0 and "MemoryError" in fw.output(), fw.output()
        assert _boots(tmp_path) == 1
        fw = _run_until_reading(tmp_path, meter, mpy_build)
        fw.proc.kill()  # kill -9: no chance to say anything
        fw.proc.wait(10)
        assert _boots(tmp_path) == 2
        fw = _run_until_reading(tmp_path, meter, mpy_build)  # the third boot in a row that did not last
        assert "the last 3 runs ended within 60 s: " + SAFE in fw.output(), fw.output()
        fw.proc.send_signal(signal.SIGINT)
        fw.proc.wait(10)
        fw = _run_until_reading(tmp_path, meter, mpy_build)  # safe mode served: normal again
        assert SAFE not in fw.output() and _boots(tmp_path) == 1
        fw.stop()
    finally:
        meter.stop()
