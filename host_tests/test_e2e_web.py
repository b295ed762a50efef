# The local web API of the running firmware (MicroPython unix port), over real sockets:
# HomeWizard v1 fields against the values sent, the raw telegram, limits and bad clients.
import gzip
import json
import os
import socket
import time
import urllib.error
import urllib.request

from conftest import ROOT
from harness import FakeMeter, Firmware, free_port, http_exchange, wait_for
from telegen import crc16_arc


def get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
        return r.status, r.headers.get("Content-Type"), r.read()


def test_local_api_and_limits(tmp_path, mpy_build):
    port = free_port()
    meter = FakeMeter(tmp_path, rate=2)
    fw = Firmware(tmp_path, meter.link, None, heap="256k", extra=["--quiet", "--web-port", str(port)], mpy=mpy_build)
    try:
        wait_for(lambda: "web: status page and API on port" in fw.output() and "meter: ok" in fw.output(), 20, what=fw.output)
        status, ctype, body = get(port, "/api")
        info = json.loads(body)
        assert status == 200 and ctype == "application/json" and info["api_version"] == "v1" and info["product_type"] == "HWE-P1"
        _, _, body = get(port, "/api/v1/data")
        data = json.loads(body, parse_float=str)
        truth = {t["meter_id"] + t["meter_time"]: t for t in meter.sent()}
        reading = json.loads(get(port, "/api/reading")[2])
        t = truth[reading["meter_id"] + reading["meter_time"]]
        assert reading["energy_import_wh"] == t["energy_import_wh"] and reading["power_w"] == t["power_w"]
        assert data["meter_model"] == "ADN9 6534"
        assert "total_power_import_kwh" in data and "active_power_w" in data and "active_voltage_l1_v" in data
        kwh = data["total_power_import_kwh"]
        assert isinstance(kwh, str) and len(kwh.split(".")[1]) == 3  # exact kWh, three decimals
        _, ctype, raw = get(port, "/api/v1/telegram")
        assert ctype == "text/plain" and raw.startswith(b"/ADN9 6534")
        bang = raw.index(b"!")
        assert int(raw[bang + 1 : bang + 5], 16) == crc16_arc(raw[: bang + 1])  # as sent, CRC verifies
        status, ctype, page = get(port, "/")  # no Accept-Encoding: decompressed on the device
        with open(os.path.join(ROOT, "firmware", "www", "status.html"), "rb") as f:
            assert status == 200 and ctype.startswith("text/html") and page == f.read() and b"<svg" in page
        req = urllib.request.Request("http://127.0.0.1:%d/" % port, headers={"Accept-Encoding": "gzip, deflate"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.read()) == page
            assert r.headers["X-Frame-Options"] == "DENY"
        history = json.loads(get(port, "/api/history")[2])
        assert history and all(isinstance(w, int) for _, w in history)
        status = json.loads(get(port, "/api/status")[2])
        assert status["meter"] == "ok" and "web" in status
        # Bad clients: a clear status or a closed connection, and the server keeps answering.
        bad = [
            (b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n\r\n", (414,)),
            (b"GET / HTTP/1.1\r\nX: " + b"b" * 3000 + b"\r\n\r\n", (431,)),
            (b"POST /api HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", (405,)),
            (b"POST /api HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", (413,)),
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", (400,)),
            (b"GET /%s HTTP/1.1\r\n\r\n" % b"\xff\xfe", (400,)),
            (b"GET /nope HTTP/1.1\r\n\r\n", (404,)),
            (b"garbage\r\n\r\n", (400,)),
        ]
        for request, allowed in bad:
            got = http_exchange(port, request)
            assert got in allowed, (request[:30], got)
            assert get(port, "/api")[0] == 200
        # Slowloris: a head trickled in slower than the 5 s limit is cut off.
        t0 = time.monotonic()
        assert http_exchange(port, b"GET /api HTTP/1.1\r\n" + b"X" * 8, wait=15, trickle=1) == 408
        assert time.monotonic() - t0 < 12
        # More idle connections than allowed: refused, and the server recovers.
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
        time.sleep(0.5)  # held idle on purpose: the server must refuse more than 4
        for s in idle:
            s.close()

        def answers():
            try:
                return get(port, "/api")[0] == 200
            except urllib.error.HTTPError as e:
                assert e.code == 503, e  # busy while the idle ones are still being closed
                return False

        wait_for(answers, 15, what="server answering again")
        assert fw.proc.poll() is None
    finally:
        fw.stop()
        meter.stop()
