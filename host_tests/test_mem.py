# `make mem` on the 32-bit MicroPython, shortened: every mode runs the real firmware to its end
# (setup finished by a phone; normal modes decode every telegram, publish, push, serve pages and
# save settings, through a broker outage) and reports its heap. The figures are deterministic
# (bytes, not time), so the same numbers make mem prints are checked against the device budget.
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

MINUTES = 12  # an hour boundary at 5 min, the outage at 6-8 min


@pytest.fixture(scope="module")
def mem_lines():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "mem.py"), "--minutes", str(MINUTES)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            lines[row["mode"]] = row
    assert set(lines) == {"setup", "normal_ascii", "normal_binary"}, proc.stdout + proc.stderr
    return lines, proc


def test_every_mode_runs_the_firmware_to_its_end(mem_lines):
    lines, _ = mem_lines
    setup = lines["setup"]
    assert setup["result"] == "normal" and setup["dns_answers"] == 5, setup
    assert setup["web"]["POST /api/setup"] == 202 and setup["web"]["finish"] == 200, setup["web"]
    expected = MINUTES * 6  # one telegram every 10 s
    for mode in ("normal_ascii", "normal_binary"):
        row = lines[mode]
        assert row["result"] == "restart" and row["web"]["post_200"] == 1, row  # the settings save restarts
        assert expected - 2 <= row["telegrams"]["ok"] <= expected + 1 and row["telegrams"]["crc_error"] == 0, row
        assert row["mqtt_connects"] >= 2 and row["refused"] > 0, row  # reconnected after the outage
        assert row["push_posts"] >= expected - 6 and row["web"].get("200", 0) >= MINUTES * 2 - 1, row
        assert "hanport.svc.mqtt" in row["modules"] and "hanport.svc.web" in row["modules"], row["modules"]
    assert "hanport.core.dlms" in lines["normal_binary"]["modules"]
    assert "hanport.core.dlms" not in lines["normal_ascii"]["modules"]  # an ASCII meter never loads it


def test_each_mode_reports_the_heap_figures(mem_lines):
    lines, proc = mem_lines
    for row in lines.values():
        assert row["gc_total"] >= 64000 and 0 < row["peak_used"] < row["gc_total"], row
        assert row["free_after_gc"] == row["gc_total"] - row["peak_used_total"], row
    assert "| normal_ascii |" in proc.stdout  # the table


@pytest.mark.xfail(reason="not yet within the classic ESP32's budget: see README, Memory", strict=True)
def test_every_mode_fits_a_classic_esp32(mem_lines):
    lines, proc = mem_lines
    assert proc.returncode == 0 and all(row["gc_total"] <= 128000 and row["peak_used"] <= 96 * 1024 for row in lines.values())
