#!/usr/bin/env python3
# `make bench`, second part: the firmware on the MicroPython unix port (.mpy build, 192 KB heap)
# with a real mosquitto: latency from the end of a telegram on the pty to the state message at
# a subscriber (median, p99), and the steady heap after gc.collect() with all services running.
import json
import os
import pty
import statistics
import sys
import tempfile
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "host_tests"), os.path.join(ROOT, "tools"), os.path.join(ROOT, "host_tests", "portable")]

from harness import Broker, Firmware, Subscriber, build_mpy, wait_for  # noqa: E402
from telegen import SwedishMeter  # noqa: E402

TELEGRAMS = 200
PERIOD_S = 0.2


def main():
    tmp = tempfile.mkdtemp(prefix="hanport-bench-")
    mpy = build_mpy(os.path.join(tmp, "mpy"))
    broker = Broker(tmp).start()
    sub = Subscriber(broker.port, topic="hanport/bench/state").start()
    master, slave = pty.openpty()
    tty.setraw(master)
    cfg = {"version": 1, "device.id": "bench", "mqtt.host": "127.0.0.1", "mqtt.port": broker.port}
    fw = Firmware(tmp, os.ttyname(slave), cfg, heap="192k", extra=["--quiet", "--heap-report", "2"], mpy=mpy)
    try:
        wait_for(lambda: "mqtt: connected" in fw.output(), 20, what=fw.output)
        meter = SwedishMeter(seed=3)
        sent = {}
        for _ in range(TELEGRAMS):
            data = meter.telegram()
            os.write(master, data)
            sent[meter.truth["meter_time"]] = time.monotonic()
            time.sleep(PERIOD_S)
        wait_for(lambda: len(sub.on("hanport/bench/state")) >= TELEGRAMS, 20, what="all states")
        time.sleep(4.5)
    finally:
        fw.stop()
        sub.stop()
        broker.kill()
    latency = sorted((t - sent[json.loads(p)["meter_time"]]) * 1000 for t, p in sub.on("hanport/bench/state"))
    heaps = [int(x.split("free=")[1].split()[0]) for x in fw.lines if x.startswith("heap free=")]
    p99 = latency[min(len(latency) - 1, int(len(latency) * 0.99))]
    print("Telegram end -> MQTT state at a subscriber (MicroPython unix port, .mpy, 192 KB heap, mosquitto on loopback)")
    print(
        "  %d telegrams, one per %.1f s:  median %.1f ms   p99 %.1f ms   max %.1f ms"
        % (len(latency), PERIOD_S, statistics.median(latency), p99, latency[-1])
    )
    print("  heap free after gc.collect() with meter + MQTT + hourly running: %s bytes (first %s)" % (heaps[-1], heaps[0]))


if __name__ == "__main__":
    main()
