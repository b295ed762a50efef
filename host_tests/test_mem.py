# `make mem` on the 32-bit MicroPython, shortened: every board's modes run the real firmware to
# the end (setup finished by a phone; normal modes decode every telegram, publish, push, serve
# pages where the board has them, through a broker outage) and report their heap. The figures are
# deterministic (bytes, not time), so what make mem prints is checked against each board's budget.
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

MINUTES = 6  # an hour boundary at 5 min, the broker outage at 3-5 min and a minute after it (make mem: 130)


CLASSIC = "esp32-devkitc"  # no PSRAM: MQTT, HTTP push, effekttariff; no web server in normal mode
PSRAM = "esp32-s3-devkitc"  # everything, the web server too


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
            lines[(row["board"], row["mode"])] = row
    expected = {(CLASSIC, "setup"), (CLASSIC, "normal_ascii"), (CLASSIC, "normal_binary"), (CLASSIC, "setup_update")}
    expected |= {(PSRAM, "normal_ascii"), (PSRAM, "normal_ascii_update")}
    assert set(lines) == expected, proc.stdout + proc.stderr
    return lines, proc


def test_every_mode_runs_the_firmware_to_its_end(mem_lines):
    lines, _ = mem_lines
    setup = lines[(CLASSIC, "setup")]
    assert setup["result"] == "normal" and setup["dns_answers"] == 5, setup
    assert setup["web"]["POST /api/setup"] == 202 and setup["web"]["finish"] == 200, setup["web"]
    expected = MINUTES * 6  # one telegram every 10 s
    for board, mode in sorted(lines):
        if mode.endswith("_update"):  # a full bundle uploaded (issue 18), received and installed
            row = lines[(board, mode)]
            assert row["web"]["update"] == 200, row
            assert row["result"] == ("normal" if mode.startswith("setup") else "restart"), row  # restarts into it
        elif mode != "setup":
            row = lines[(board, mode)]
            assert row["result"] == "restart", row
            assert expected - 2 <= row["telegrams"]["ok"] <= expected + 1 and row["telegrams"]["crc_error"] == 0, row
            assert row["mqtt_connects"] >= 2 and row["refused"] > 0, row  # reconnected after the outage
            assert row["push_posts"] >= expected - 6, row
            assert "hanport.svc.mqtt" in row["modules"] and "hanport.svc.http_push" in row["modules"], row["modules"]
            if board == PSRAM:  # pages polled all along, and a settings save that restarts
                assert row["web"]["post_200"] == 1 and row["web"].get("200", 0) >= MINUTES * 2 - 1, row
                assert "hanport.svc.web" in row["modules"], row["modules"]
                # the DNS-SD responder runs with the web server: it announced and answered the browses
                assert row["mdns"]["announced"] >= 2 and row["mdns"]["answered"] >= MINUTES // 3 - 1, row["mdns"]
                # the status page open all along (issue 19): the reading every 2 s, the hours every
                # minute with two days of them kept (48 closed hours and the open one, ~2 KB)
                page = row["page"]
                assert set(page) == {"200", "hours_bytes"} and page["200"] >= MINUTES * 30 + MINUTES * 12, page
                assert page["hours_bytes"] > 48 * 32, page
            else:  # the classic board's default: no web server in normal mode
                assert row["web"] == {} and "hanport.svc.web" not in row["modules"], row
    assert "hanport.core.binary.dlms" in lines[(CLASSIC, "normal_binary")]["modules"]
    for board in (CLASSIC, PSRAM):
        assert "hanport.core.binary.dlms" not in lines[(board, "normal_ascii")]["modules"]  # an ASCII meter never loads it
    assert "hanport.core.p1.parser" not in lines[(CLASSIC, "normal_binary")]["modules"]  # nor a binary one the ASCII stack


def test_each_mode_reports_the_heap_figures(mem_lines):
    lines, proc = mem_lines
    for row in lines.values():
        assert row["gc_total"] >= 64000 and 0 < row["peak_used"] <= row["peak_bound"] <= row["gc_total"], row
        assert row["free_after_gc"] == row["gc_total"] - row["peak_used"], row
    assert "| esp32-devkitc | normal_ascii |" in proc.stdout  # the table


def test_every_mode_fits_its_board(mem_lines):
    # Classic ESP32 (and C3): at most one heap growth (128,000) and peak_used <= 96 KB;
    # S2/S3 with PSRAM: 512,000 and 256 KB. make mem exits 1 when a mode is over.
    lines, proc = mem_lines
    assert proc.returncode == 0, proc.stdout[-3000:]
    for (board, _), row in lines.items():
        limit = (128000, 96 * 1024) if board == CLASSIC else (512000, 256 * 1024)
        assert row["gc_total"] <= limit[0] and row["peak_used"] <= limit[1], row
