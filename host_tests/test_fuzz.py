# The damage campaign (make fuzz, issue 13) in the suite: 20,000 damaged streams on CPython and
# 2,000 on the MicroPython unix port, cold and warm, ASCII and HDLC. Nothing may raise, every
# counter must add up, and no damaged telegram may be delivered unless its CRC matched.
import json
import os
import subprocess
import sys

from conftest import ROOT


def test_damage_campaign(tmp_path):
    out = str(tmp_path / "fuzz.json")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "fuzz.py"), "N=20000", "MPN=2000", "OUT=" + out],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out) as f:
        results = json.load(f)["results"]
    assert set(results) == {"CPython", "MicroPython"}
    for name, r in results.items():
        assert r.get("exception", 0) == 0 and r.get("ascii_unverified_damaged", 0) == 0, (name, r)
        assert r.get("counter_mismatch", 0) == 0 and r.get("over_cap", 0) == 0, (name, r)
        for kind in ("ascii cold", "ascii warm", "binary cold", "binary warm"):
            assert r[kind] > 0, (name, kind, r)  # every kind of stream ran
        # The damage reached the checks: CRC, FCS and the CRC-less rule all rejected some.
        assert r["ascii_rejected_crc"] > 0 and r["hdlc_fcs_error"] > 0 and r["ascii_unverified_dropped"] > 0, (name, r)
        assert r["ascii_genuine"] > 0 and r["hdlc_frames"] > 0, (name, r)
    assert "| ASCII: damaged, delivered unverified |" in proc.stdout
