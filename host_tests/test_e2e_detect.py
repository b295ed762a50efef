# The meter's format and line found on a pty (issue #7): the firmware (MicroPython, .mpy build)
# reads a virtual meter that sends ASCII telegrams or binary HDLC frames, on a correctly or a
# wrongly inverted line, finds both within the line search, publishes the exact values, shows
# what it found on the status API, stores it, and starts there after a restart.
import json
import os
import re
import socket

import pytest

from harness import FakeMeter, Firmware, free_port, wait_for

WINDOW_MS = 3000  # per line setting (the device uses 25 s; the virtual meter sends 4 frames/s)


def _status(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def _readings(fw):
    lines = [line for line in list(fw.lines) if line.startswith("reading {")]
    return [json.loads(line[len("reading ") :]) for line in lines]


@pytest.mark.parametrize(
    "fmt,invert,found",
    [
        ("hdlc", True, "HDLC/DLMS, 115200 8N1 inverted"),
        ("hdlc", False, "HDLC/DLMS, 115200 8N1"),
        ("ascii", True, "ASCII, 115200 8N1 inverted"),
    ],
)
def test_format_and_inversion_found_values_exact_and_kept(tmp_path, mpy_build, fmt, invert, found):
    extra = ["--format", fmt] + (["--invert"] if invert else [])
    meter = FakeMeter(tmp_path, rate=4, interval=10, start=1768348800, extra=extra)
    web = free_port()
    args = ["--line-window-ms", str(WINDOW_MS), "--web-port", str(web)]
    fw = Firmware(tmp_path, meter.link, {"version": 1, "device.id": "d1"}, heap="256k", extra=args, mpy=mpy_build)
    try:
        wait_for(lambda: "meter: found " + found in fw.output(), 40, what=lambda: "format found: " + fw.output()[-3000:])
        trying = re.findall(r"meter: nothing decodes, trying (.*)", fw.output())
        assert trying == (["115200 8N1 inverted"] if invert else []), trying
        wait_for(lambda: len(_readings(fw)) >= 3, 20, what="readings")
        sent = {t["meter_time"]: t for t in meter.sent()}
        for reading in _readings(fw)[-3:]:
            truth = sent[reading["meter_time"]]  # (the Swedish Aidon HDLC list has no meter id)
            assert {k: str(v) for k, v in reading.items()} == {k: str(v) for k, v in truth.items()}
        status = wait_for(lambda: _status(web), 10, what="status")
        assert status["meter"] == "ok" and status["meter_line"] == found
        assert status["telegrams"]["ok"] >= 3
        with open(os.path.join(str(tmp_path), "data", "line.json")) as f:
            stored = json.load(f)
        crc = {"crc": True} if fmt == "ascii" else {}  # an ASCII meter that sends CRCs: kept with the line
        assert stored == dict({"format": fmt, "baud": 115200, "parity": "N", "flip": 1 if invert else 0}, **crc)
    finally:
        fw.stop()
    # After a restart the stored line is the first one tried: found again without a switch.
    fw = Firmware(tmp_path, meter.link, {"version": 1, "device.id": "d1"}, heap="256k", extra=args[:2], mpy=mpy_build)
    try:
        wait_for(lambda: "meter: found " + found in fw.output(), 20, what="found after restart")
        assert "nothing decodes" not in fw.output()
    finally:
        fw.stop()
        meter.stop()


def test_encrypted_meter_explained_without_key_and_decoded_with_it(tmp_path, mpy_build):
    key = "5a1f0e3c7b2d4e6f8a9b0c1d2e3f4a5b"
    meter = FakeMeter(tmp_path, rate=4, interval=10, start=1768348800, extra=["--format", "hdlc", "--key", key])
    web = free_port()
    args = ["--line-window-ms", str(WINDOW_MS), "--web-port", str(web)]
    try:
        fw = Firmware(tmp_path, meter.link, {"version": 1, "device.id": "d1"}, heap="256k", extra=args, mpy=mpy_build)
        try:
            # Encrypted frames pass the HDLC checks: the line is found, the values are not.
            wait_for(lambda: "meter: found HDLC/DLMS, 115200 8N1" in fw.output(), 20, what=fw.output)
            status = wait_for(lambda: (lambda s: s if s["meter"] == "encrypted" else None)(_status(web)), 45, what="encrypted")
            assert "key" in status["meter_hint"] and status["telegrams"]["hdlc"]["dlms_encrypted"] >= 3
            assert _readings(fw) == []
        finally:
            fw.stop()
        cfg = {"version": 1, "device.id": "d1", "meter.key": key.upper()}
        fw = Firmware(tmp_path, meter.link, cfg, heap="256k", extra=args, mpy=mpy_build)
        try:
            wait_for(lambda: len(_readings(fw)) >= 3, 20, what=fw.output)
            sent = {t["meter_time"]: t for t in meter.sent()}
            reading = _readings(fw)[-1]
            assert {k: str(v) for k, v in reading.items()} == {k: str(v) for k, v in sent[reading["meter_time"]].items()}
            assert key not in fw.output().lower() and key.upper() not in fw.output()  # the key is never logged
            status = _status(web)
            assert status["meter"] == "ok" and status["telegrams"]["ok"] >= 3
        finally:
            fw.stop()
    finally:
        meter.stop()
