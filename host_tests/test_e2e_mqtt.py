# End to end with real parts: the firmware under the MicroPython unix port (small heap), the
# virtual meter on a pty, a real mosquitto (plain, password, TLS) and a paho subscriber.
import json
import os
import subprocess
import time

import pytest

from harness import Broker, FakeMeter, Firmware, Subscriber, settled, wait_for

SMALL_HEAP = "208k"  # .mpy build on this 64-bit port; see docs/memory.md (192 KB before binary meters)
START_UTC = 1768348800  # 2026-01-14 00:00 UTC = 01:00 Swedish winter time, on an hour boundary


@pytest.fixture
def parts(tmp_path, mpy_build):
    started = []
    yield tmp_path, started, mpy_build
    for part in reversed(started):
        try:
            part.stop() if not isinstance(part, Broker) else part.kill()
        except Exception:
            pass


def mqtt_config(broker, **extra):
    cfg = {"version": 1, "device.id": "e2e", "mqtt.host": "127.0.0.1", "mqtt.port": broker.port}
    cfg.update(extra)
    return cfg


def _same(reading, truth):
    for key, want in truth.items():
        got = reading.get(key)
        if isinstance(want, str) and isinstance(got, float):
            got = repr(got)  # 230.1 as sent; JSON has no trailing-zero floats, truth keeps "7.0"
        if got != want:
            return key, got, want
    return None


def test_readings_arrive_exact_with_discovery_and_status(parts):
    tmp, started, mpy = parts
    broker = Broker(tmp).start()
    started.append(broker)
    sub = Subscriber(broker.port).start()
    started.append(sub)
    meter = FakeMeter(tmp, rate=4, count=20, delay=3)  # the link is up before the first telegram
    started.append(meter)
    fw = Firmware(tmp, meter.link, mqtt_config(broker), heap=SMALL_HEAP, extra=["--quiet"], mpy=mpy)
    started.append(fw)
    wait_for(lambda: len(sub.on("hanport/e2e/state")) >= 20, 60, what=lambda: "20 state messages\n" + fw.output())
    sent = {t["meter_time"]: t for t in meter.sent()}
    states = sub.json_on("hanport/e2e/state")
    assert len(sent) == 20 and len(states) == 20
    for state in states:
        assert _same(state, sent[state["meter_time"]]) is None, _same(state, sent[state["meter_time"]])
        assert 0 <= state["age_s"] <= 2
    assert sub.on("hanport/e2e/status")[-1][1] == b"online"
    cfg = json.loads(sub.on("homeassistant/sensor/e2e/power_import_w/config")[-1][1])
    assert cfg["device_class"] == "power" and cfg["state_class"] == "measurement" and cfg["unit_of_measurement"] == "W"
    assert cfg["state_topic"] == "hanport/e2e/state" and cfg["value_template"] == "{{ value_json.power_import_w }}"
    energy = json.loads(sub.on("homeassistant/sensor/e2e/energy_import_wh/config")[-1][1])
    assert energy["state_class"] == "total_increasing" and energy["device_class"] == "energy"
    for field in ("peak_billed_w", "peak_headroom_w", "peak_hour_projected_w"):  # effekttariff sensors
        peak = json.loads(sub.on("homeassistant/sensor/e2e/%s/config" % field)[-1][1])
        assert peak["state_topic"] == "hanport/e2e/peaks" and peak["unit_of_measurement"] == "W"
    assert not sub.on("homeassistant/sensor/e2e/peak_fee_sek/config")  # no price, no fee sensor
    # Home Assistant restarts: discovery is published again
    before = len(sub.on("homeassistant/sensor/e2e/power_import_w/config"))
    sub.client.publish("homeassistant/status", "online")
    wait_for(lambda: len(sub.on("homeassistant/sensor/e2e/power_import_w/config")) > before, 10, what="re-discovery")
    diag = sub.json_on("hanport/e2e/diag")[-1]
    assert diag["firmware"] and "heap_free" in diag and "mqtt" in diag
    fw.stop()
    wait_for(lambda: sub.on("hanport/e2e/status")[-1][1] == b"offline", 10, what="last will")
    assert "0 bytes lost" in meter.stop()


def test_broker_outage_of_60_s_loses_nothing(parts):
    tmp, started, mpy = parts
    broker = Broker(tmp)
    with open(broker.conf, "a") as f:  # the subscriber's session must survive the kill
        f.write("persistence true\npersistence_location %s/\nautosave_interval 1\n" % tmp)
    broker.start()
    started.append(broker)
    sub = Subscriber(broker.port)
    import paho.mqtt.client as mqtt

    sub.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="e2e-sub", clean_session=False)
    sub.client.on_message = sub._on_message
    sub.client.on_connect = lambda c, u, f, rc, p=None: c.subscribe([("hanport/#", 1), ("homeassistant/#", 1)])
    sub.client.reconnect_delay_set(0.2, 1)
    sub.start()
    started.append(sub)
    # One meter hour every 3 s of wall time: 600 s of meter clock per telegram, 2 telegrams/s.
    meter = FakeMeter(tmp, rate=2, interval=600, start=START_UTC)
    started.append(meter)
    cfg = mqtt_config(broker, **{"mqtt.keepalive_s": 10, "peaks.prices": "52.50"})  # max1 with the user's price
    fw = Firmware(tmp, meter.link, cfg, heap=SMALL_HEAP, extra=["--quiet"], mpy=mpy)
    started.append(fw)
    wait_for(lambda: len(sub.on("hanport/e2e/hourly")) >= 2, 30, what=lambda: "first hourly snapshots\n" + fw.output())
    time.sleep(1.5)  # let the broker autosave the subscriber's session
    broker.kill()
    time.sleep(60)  # the outage: 20 meter hours
    broker.start()
    restarted_at = time.monotonic()
    wait_for(
        lambda: any(t > restarted_at for t, _ in sub.on("hanport/e2e/state")),
        90,
        what=lambda: "states after restart\n" + fw.output(),
    )
    wait_for(
        lambda: any(t > restarted_at for t, _ in sub.on("hanport/e2e/hourly")),
        30,
        what=lambda: "the outage's snapshots\n" + fw.output(),
    )
    out = meter.stop()
    settled(lambda: len(sub.on("hanport/e2e/hourly")), 30, what="hourly snapshots in flight")
    hourly = sub.json_on("hanport/e2e/hourly")
    hours = [h["hour"] for h in hourly]
    unique = sorted(set(hours))
    assert hours == sorted(hours), "hourly snapshots out of order"
    assert len(unique) >= 20, (len(unique), "an outage of 60 s covers 20 meter hours")
    # consecutive hours, no gap; values are the registers at the first telegram of each hour
    truth = {t["meter_time"]: t for t in meter.sent()}
    for a, b in zip(unique, unique[1:]):
        assert int(b[11:13]) == (int(a[11:13]) + 1) % 24, (a, b)
    for snap in hourly:
        assert snap["energy_import_wh"] == truth[snap["hour"]]["energy_import_wh"], snap
    gap = [t for t, _ in sub.on("hanport/e2e/hourly") if t > restarted_at]
    assert gap, "snapshots of the outage delivered after reconnect"
    assert "0 bytes lost" in out, out
    assert "mqtt: disconnected" in fw.output()  # it noticed the outage, and came back:
    assert "mqtt: connected" in fw.output().split("disconnected")[-1]
    # Effekttariff (max1): the retained peaks message names the highest whole hour, which the
    # exact hourly registers give independently: the largest difference of consecutive hours.
    peaks = sub.json_on("hanport/e2e/peaks")[-1]
    regs = {snap["hour"]: snap["energy_import_wh"] for snap in hourly}
    closed = [h for h in unique if h < peaks["period"]["start"]]
    deltas = [(regs[b] - regs[a], a) for a, b in zip(closed, closed[1:] + [peaks["period"]["start"]]) if b in regs]
    best_wh, best_hour = max(deltas)
    assert peaks["preset"] == "max1" and peaks["peaks"] == [{"start": best_hour, "avg_w": best_wh, "weight": 1.0}]
    assert peaks["billed_w"] == best_wh and peaks["period"]["headroom_w"] >= 0
    # The fee: the billed W at 52.50 kr/kW (VAT included as typed and as shown), in whole öre.
    assert peaks["fee"] == {
        "ore": (best_wh * 5250 + 500) // 1000,
        "sek": peaks["fee"]["ore"] / 100,
        "vat": True,
        "currency": "SEK",
    }
    assert peaks["period"]["adds"]["ore"] >= 0 and peaks["rule"] == "your highest hour"
    fee = json.loads(sub.on("homeassistant/sensor/e2e/peak_fee_sek/config")[-1][1])
    assert fee["device_class"] == "monetary" and fee["unit_of_measurement"] == "SEK" and "state_class" not in fee


def test_wrong_password_gives_clear_state_and_bounded_retries(parts):
    tmp, started, mpy = parts
    broker = Broker(tmp, users={"meter": "right-password"}).start()
    started.append(broker)
    meter = FakeMeter(tmp, rate=2)
    started.append(meter)
    secret = "s3cr3t-Wrong-PW"
    fw = Firmware(
        tmp, meter.link, mqtt_config(broker, **{"mqtt.user": "meter", "mqtt.password": secret}), extra=["--quiet"], mpy=mpy
    )
    started.append(fw)
    wait_for(lambda: "mqtt: auth_failed" in fw.output(), 20, what=lambda: "auth_failed\n" + fw.output())
    time.sleep(20)
    attempts = broker.log().count("as e2e ")
    refusals = fw.output().count("mqtt: auth_failed")
    assert "refused the user name or password" in fw.output()
    assert 1 <= refusals <= 6 and attempts <= 6, (refusals, attempts)
    assert secret not in fw.output()
    assert fw.proc.poll() is None  # still running, still reading the meter
    assert "meter: ok" in fw.output()
    fw.stop()
    # The right password: connected, readings flow to a subscriber that logs in too.
    sub = Subscriber(broker.port, username="meter", password="right-password").start()
    started.append(sub)
    cfg = mqtt_config(broker, **{"mqtt.user": "meter", "mqtt.password": "right-password"})
    fw2 = Firmware(tmp, meter.link, cfg, extra=["--quiet"], mpy=mpy)  # the .mpy build, as on the device
    started.append(fw2)
    wait_for(lambda: len(sub.on("hanport/e2e/state")) >= 2, 20, what=lambda: "states with password\n" + fw2.output())
    assert "right-password" not in fw2.output()


def _make_ca(tmp):
    """A test CA, a broker certificate it signed (localhost), and an unrelated CA."""

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp)

    def self_signed(name, cn):
        run(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            name + ".key",
            "-out",
            name + ".crt",
            "-days",
            "2",
            "-subj",
            "/CN=" + cn,
        )

    self_signed("ca", "hanport test CA")
    self_signed("other", "other CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost")
    with open(os.path.join(tmp, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run(
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    return [os.path.join(tmp, n) for n in ("ca.crt", "srv.crt", "srv.key", "other.crt")]


@pytest.mark.parametrize("runtime", ["micropython", "cpython"])
def test_tls_with_self_signed_ca(parts, runtime):
    import sys

    tmp, started, mpy = parts
    ca, cert, key, other = _make_ca(str(tmp))
    broker = Broker(tmp, tls=(ca, cert, key)).start()
    started.append(broker)
    sub = Subscriber(broker.port, tls_ca=ca)
    sub.client.tls_insecure_set(False)
    sub.start()
    started.append(sub)
    meter = FakeMeter(tmp, rate=4)
    started.append(meter)
    cfg = mqtt_config(broker, **{"mqtt.host": "localhost", "mqtt.tls": True, "mqtt.ca": ca})
    build = mpy if runtime == "micropython" else None  # MicroPython runs the .mpy build, as the device
    fw = Firmware(tmp, meter.link, cfg, runtime=None if build else sys.executable, extra=["--quiet"], mpy=build)
    started.append(fw)
    wait_for(lambda: len(sub.on("hanport/e2e/state")) >= 3, 30, what=lambda: "states over TLS\n" + fw.output())
    fw.stop()
    # A CA that did not sign the broker's certificate: refused, never connected.
    cfg["mqtt.ca"] = other
    fw2 = Firmware(tmp, meter.link, cfg, runtime=None if build else sys.executable, extra=["--quiet"], mpy=build)
    started.append(fw2)
    wait_for(lambda: "mqtt: disconnected" in fw2.output(), 20, what=lambda: "TLS refusal\n" + fw2.output())
    assert "mqtt: connected" not in fw2.output()


def test_silent_port_explains_no_data(parts):
    """First day: the grid operator has not activated the port yet. No bytes at all."""
    tmp, started, mpy = parts
    broker = Broker(tmp).start()
    started.append(broker)
    sub = Subscriber(broker.port).start()
    started.append(sub)
    meter = FakeMeter(tmp, silent=True)
    started.append(meter)
    fw = Firmware(tmp, meter.link, mqtt_config(broker), heap=SMALL_HEAP, extra=["--quiet"], mpy=mpy)
    started.append(fw)

    def no_data_diag():
        return [d for d in sub.json_on("hanport/e2e/diag") if d["meter"] == "no_data"]

    wait_for(no_data_diag, 45, what=lambda: "no_data diag\n" + fw.output())
    diag = no_data_diag()[-1]
    assert "grid operator" in diag["meter_hint"] and "last_telegram_age_s" not in diag
    assert "meter: no_data: No bytes from the meter for 30 s" in fw.output()
    assert sub.on("hanport/e2e/state") == []  # nothing stale or invented is published
