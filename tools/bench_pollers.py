#!/usr/bin/env python3
# Two local-API clients at once, as an EV charger's load balancer polls (SmartEVSE: every ~2 s,
# 1.5 s timeout): GET /api/v1/data against the host firmware (.mpy, MicroPython unix port) while
# it publishes every telegram by MQTT to mosquitto and crosses hour boundaries (effekttariff and
# hourly snapshots saved). `make bench` runs 2 minutes; test_e2e_pollers.py asserts on it.
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "host_tests"), os.path.join(ROOT, "tools")]

from harness import Broker, FakeMeter, Firmware, Subscriber, build_mpy, free_port, wait_for  # noqa: E402

TIMEOUT_S = 1.5  # SmartEVSE's
PERIOD_S = 2.0
# 2026-01-14 00:58:00 Swedish time (UTC+1): telegrams every 10 s of meter time, 1 per real second,
# so the meter clock crosses an hour about 12 s in and every 6 minutes of meter time after.
START_UTC = 1768348680


def poll_client(port, until, out):
    url = "http://127.0.0.1:%d/api/v1/data" % port
    due = time.monotonic()
    while due < until:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as reply:
                body = json.load(reply)
            out.append((time.monotonic() - started, reply.status == 200 and "active_power_w" in body))
        except (OSError, ValueError):
            out.append((time.monotonic() - started, False))
        due += PERIOD_S
        time.sleep(max(0.0, due - time.monotonic()))


def run(duration_s, mpy=None, workdir=None):
    """{"latencies_s": [...], "failures": n, "states": n, "hour_saves": n} of two clients polling."""
    tmp = workdir or tempfile.mkdtemp(prefix="hanport-pollers-")
    mpy = mpy or build_mpy(os.path.join(tmp, "mpy"))
    broker = Broker(tmp).start()
    sub = Subscriber(broker.port, topic="hanport/pollers/#").start()
    meter = FakeMeter(tmp, rate=1, start=START_UTC, seed=4)
    web = free_port()
    cfg = {"device.id": "pollers", "mqtt.host": "127.0.0.1", "mqtt.port": broker.port, "peaks.preset": "goteborg"}
    fw = Firmware(tmp, meter.link, cfg, extra=["--quiet", "--web-port", str(web)], mpy=mpy)
    results = [[], []]
    try:
        wait_for(lambda: "mqtt: connected" in fw.output() and "web:" in fw.output(), 30, what=fw.output)
        wait_for(lambda: sub.on("hanport/pollers/state"), 20, what="a state message")
        until = time.monotonic() + duration_s
        threads = [threading.Thread(target=poll_client, args=(web, until, results[i])) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration_s + 10)
        states = len(sub.on("hanport/pollers/state"))
        hours = len(sub.on("hanport/pollers/hourly"))
    finally:
        fw.stop()
        meter.stop()
        sub.stop()
        broker.kill()
    latencies = sorted(t for client in results for t, _ in client)
    failures = sum(1 for client in results for _, ok in client if not ok)
    return {"latencies_s": latencies, "failures": failures, "states": states, "hourly": hours, "output": fw.output()[-2000:]}


def percentile(values, fraction):
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 120
    got = run(duration)
    lat = [t * 1000 for t in got["latencies_s"]]
    print("Two clients polling /api/v1/data every %.0f s for %.0f s (timeout %.1f s)" % (PERIOD_S, duration, TIMEOUT_S))
    print("  while the firmware publishes every telegram by MQTT and saves at hour boundaries")
    line = "  %d answers, %d failed:  median %.0f ms   p99 %.0f ms   max %.0f ms   (limit %.0f ms)"
    print(line % (len(lat), got["failures"], percentile(lat, 0.5), percentile(lat, 0.99), lat[-1], TIMEOUT_S * 1000))
    print("  %d MQTT state messages, %d hourly snapshots" % (got["states"], got["hourly"]))


if __name__ == "__main__":
    main()
