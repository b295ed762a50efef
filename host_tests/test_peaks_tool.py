# tools/peaks.py on a raw telegram stream from the project's generator: the same JSON lines on
# CPython and on the MicroPython unix port, one per month, and the billed peak equal to the
# largest hourly register difference computed here independently from the generator's truth.
import json
import os
import subprocess
import sys

from conftest import MICROPYTHON, ROOT
from telegen import SwedishMeter, days_from_civil

TOOL = os.path.join(ROOT, "tools", "peaks.py")


def test_peaks_tool_on_both_runtimes(tmp_path):
    # 40 days of 15-minute telegrams from 2026-01-10: a January and the start of February.
    meter = SwedishMeter(seed=3, interval=900, start_utc=days_from_civil(2026, 1, 10) * 86400 - 3600)
    stream = tmp_path / "capture.bin"
    truth = {}
    with open(stream, "wb") as f:
        for _ in range(40 * 96):
            f.write(meter.telegram())
            truth[meter.truth["meter_time"]] = meter.truth["energy_import_wh"]
    procs = [  # side by side, one per core
        subprocess.Popen([runtime, TOOL, "--preset", "goteborg", str(stream)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for runtime in (sys.executable, MICROPYTHON)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]  # byte-identical
    months = [json.loads(line) for line in outputs[0].decode().splitlines()]
    assert [m["month"] for m in months] == ["2026-01", "2026-02"]
    hours = sorted(t for t in truth if t.endswith(":00:00"))
    per_day = {}
    for a, b in zip(hours, hours[1:]):
        if a[:7] == "2026-01":
            wh = truth[b] - truth[a]
            per_day[a[:10]] = max(per_day.get(a[:10], (0, "")), (wh, a))
    top = sorted(per_day.values(), reverse=True)[:3]
    january = months[0]
    assert [(p["avg_w"], p["start"]) for p in january["peaks"]] == top
    assert january["billed_w"] == (sum(w for w, _ in top) + 1) // 3
    assert "partial_periods" not in january  # the first hour begins on a boundary
    usage = subprocess.run([sys.executable, TOOL, "--preset", "nope", str(stream)], capture_output=True, text=True)
    assert usage.returncode == 2 and "sollentuna" in usage.stderr
    # The user's own rule from a file, with a price typed without VAT: the same peaks as the
    # preset, and the fee in öre computed here; a bad rule gives its message and exit code 2.
    rule = tmp_path / "rule.txt"
    rule.write_text("top=3 days\n")
    outputs = []
    for runtime in (sys.executable, MICROPYTHON):
        args = [runtime, TOOL, "--rule", str(rule), "--prices", "4-10:52,11-3:70 excl", "--no-vat", str(stream)]
        proc = subprocess.run(args, capture_output=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    own = [json.loads(line) for line in outputs[0].decode().splitlines()]
    assert [m["peaks"] for m in own] == [m["peaks"] for m in months] and own[0]["preset"] == "custom"
    assert own[0]["fee"] == {
        "currency": "SEK",
        "ore": (january["billed_w"] * 7000 + 500) // 1000,
        "sek": own[0]["fee"]["sek"],
        "vat": False,
    }
    assert own[0]["fee"]["sek"] == own[0]["fee"]["ore"] / 100
    rule.write_text("top=3 dayz\n")
    bad = subprocess.run([sys.executable, TOOL, "--rule", str(rule), str(stream)], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown word 'dayz'" in bad.stderr
