# HTTP push end to end: the firmware (MicroPython, .mpy build) posts readings and hourly
# snapshots to a local test server with a bearer token; the server goes down and comes back.
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import FakeMeter, Firmware, free_port, wait_for


class Receiver:
    def __init__(self, port):
        self.port = port
        self.posts = []  # (monotonic, headers dict, body dict)
        self.server = None

    def start(self):
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                posts.append((time.monotonic(), dict(self.headers), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(free_port()).start()
    yield r
    try:
        r.stop()
    except Exception:
        pass


def test_http_push_with_token_survives_server_outage(tmp_path, receiver, mpy_build):
    meter = FakeMeter(tmp_path, rate=4, interval=600, start=1768348800, delay=2)
    token = "tok-3x4mple-very-secret"
    cfg = {
        "version": 1,
        "device.id": "h1",
        "http.url": "http://127.0.0.1:%d/ingest" % receiver.port,
        "http.token": token,
        "http.interval_s": 0,
    }
    fw = Firmware(tmp_path, meter.link, cfg, heap="192k", extra=["--quiet"], mpy=mpy_build)
    try:
        wait_for(lambda: len(receiver.posts) >= 8, 30, what=lambda: "posts\n" + fw.output())
        states = [b for _, _, b in receiver.posts if "hourly" not in b]
        assert all(h["Authorization"] == "Bearer " + token for _, h, _ in receiver.posts)
        assert all(h["Content-Type"] == "application/json" for _, h, _ in receiver.posts)
        truth = {t["meter_time"]: t for t in meter.sent()}
        for state in states:
            assert state["energy_import_wh"] == truth[state["meter_time"]]["energy_import_wh"]
        receiver.stop()
        down_at = time.monotonic()
        wait_for(lambda: "http: push to 127.0.0.1 failing" in fw.output(), 15, what=lambda: fw.output())
        time.sleep(8)  # the outage
        receiver.start()
        wait_for(lambda: any(t > down_at + 8 for t, _, _ in receiver.posts), 90, what=lambda: "resumed\n" + fw.output())
        wait_for(lambda: "http: delivering again" in fw.output(), 10, what=lambda: fw.output())

        def no_gap():  # the outage's hours delivered: consecutive up to the newest (a lost hour never closes)
            hours = sorted(set(b["hourly"]["hour"] for _, _, b in receiver.posts if "hourly" in b))
            return len(hours) >= 4 and all(int(b[11:13]) == (int(a[11:13]) + 1) % 24 for a, b in zip(hours, hours[1:]))

        wait_for(no_gap, 30, what=lambda: "the outage's hourly snapshots\n" + fw.output())
        hourly = [b["hourly"]["hour"] for _, _, b in receiver.posts if "hourly" in b]
        assert hourly == sorted(hourly) and len(set(hourly)) >= 4, hourly
        for a, b in zip(sorted(set(hourly)), sorted(set(hourly))[1:]):
            assert int(b[11:13]) == (int(a[11:13]) + 1) % 24, ("gap in hourly snapshots", a, b)
        assert token not in fw.output()
    finally:
        fw.stop()
        meter.stop()
