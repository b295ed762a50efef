# Soak: 20,000 telegrams at 100 per second (a real meter sends one every 1-10 s) through the
# host run with MQTT publishing every one. The heap after gc.collect() must stay flat once the
# hourly ring is full, and nothing may raise. The figures are printed.
import json
import re
import sys
import time

from harness import Broker, FakeMeter, Firmware, Subscriber, wait_for

COUNT = 20000
RATE = 100


def test_soak_20000_telegrams_heap_flat(tmp_path, mpy_build):
    broker = Broker(tmp_path).start()
    sub = Subscriber(broker.port, topic="hanport/+/state").start()
    # 60 s of meter clock per telegram: the 60-row hourly ring is full after 3,600 telegrams.
    meter = FakeMeter(tmp_path, rate=RATE, interval=60, count=COUNT, delay=2)
    cfg = {"version": 1, "device.id": "soak", "mqtt.host": "127.0.0.1", "mqtt.port": broker.port}
    fw = Firmware(tmp_path, meter.link, cfg, heap="208k", extra=["--quiet", "--heap-report", "5"], mpy=mpy_build)
    try:
        wait_for(lambda: meter.proc.poll() is not None, COUNT / RATE + 120, step=1, what="the virtual meter to finish")
        time.sleep(6)  # one more heap report after the last telegram
    finally:
        meter_out = meter.stop()
        fw.stop()
        sub.stop()
        broker.kill()
    out = fw.output()
    samples = [(int(t), int(f)) for f, t in re.findall(r"heap free=(\d+) telegrams=(\d+)", out)]
    lost = int(re.search(r"(\d+) bytes lost", meter_out).group(1))
    decoded = samples[-1][0]
    steady = [free for telegrams, free in samples if telegrams > 5000]
    report = "soak: %d telegrams sent, %d decoded, %d bytes lost in the pty; heap free after gc.collect(): %s" % (
        COUNT,
        decoded,
        lost,
        " ".join(str(f) for _, f in samples),
    )
    print(report, file=sys.__stderr__)
    assert "Traceback" not in out and "MemoryError" not in out, out[-3000:]
    assert len(steady) >= 10, report
    assert steady[0] - min(steady) <= 512, report  # flat: what is in use never grows after 5,000 telegrams
    assert decoded >= COUNT * 0.95, report
    # Latest value wins: at 100 telegrams/s the 50 ms MQTT loop publishes about every fifth;
    # states keep flowing all along, and the last telegram's values are the last published.
    states = sub.on("hanport/soak/state")
    assert len(states) >= COUNT / RATE * 10, (len(states), report)
    assert json.loads(states[-1][1])["meter_time"] == meter.sent()[-1]["meter_time"]
