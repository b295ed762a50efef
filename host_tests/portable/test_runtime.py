# Runtime building blocks on both runtimes: config schema, backoff, atomic store, hourly ring
# (hour boundaries, reboot mid-hour, acknowledgements, cap), payloads, hub robustness.
import os

from hanport.core import config
from hanport.core.backoff import Backoff
from hanport.core.discovery import ha_discovery, ha_sensor_meta
from hanport.core.p1.decoder import Decoder
from hanport.svc.hourly import CAP, HourlyRing
from hanport.svc.http_push import split_url
from hanport.svc.hub import Hub
from hanport.svc.store import JsonStore
from support import Collector, telegram
from support import tmpdir as _tmpdir
from telegen import SwedishMeter


def test_config_defaults_and_validation():
    cfg, errors = config.validate({})
    assert errors == {} and cfg["mqtt.prefix"] == "hanport" and cfg["mqtt.port"] == 1883 and cfg["mqtt.ha_discovery"] is True
    cfg, errors = config.validate(
        {
            "mqtt.port": 70000,
            "mqtt.tls": "yes",
            "wifi.password": "short",
            "bogus": 1,
            "mqtt.prefix": "a/#",
            "http.url": "ftp://x",
            "device.id": "bad id!",
            "mqtt.min_interval_s": True,
        }
    )
    assert cfg is None
    for key in ("mqtt.port", "mqtt.tls", "wifi.password", "bogus", "mqtt.prefix", "http.url", "device.id", "mqtt.min_interval_s"):
        assert key in errors, key
    assert "8-63" in errors["wifi.password"]
    cfg, errors = config.validate({"version": 2})
    assert cfg is None and "version" in errors
    cfg, errors = config.validate(["not", "a", "dict"])
    assert cfg is None and errors


def test_config_file_written_by_hand_in_sections():
    # {"mqtt": {"host": ...}} is what people write by hand; it means the same as "mqtt.host"
    nested = {"mqtt": {"host": "broker.lan", "port": 8883, "tls": True}, "wifi.ssid": "home", "mdns": {"host": "hanport-garage"}}
    cfg, errors = config.validate(nested)
    assert errors == {}, errors
    flat, _ = config.validate(
        {"mqtt.host": "broker.lan", "mqtt.port": 8883, "mqtt.tls": True, "wifi.ssid": "home", "mdns.host": "hanport-garage"}
    )
    assert cfg == flat and cfg["mdns.enabled"] is True
    # anything else gets an error that names the key and the expected form
    _, errors = config.validate({"mqtt": {"tls": {"on": True}}, "wifi": 5, "mdns.host": "Bad_Name", "peaks": {"nope": 1}})
    assert "section" in errors["mqtt.tls"] and '{"mqtt": {"tls": value}}' in errors["mqtt.tls"]
    assert '"section.name": value' in errors["wifi"]
    assert "a-z" in errors["mdns.host"] and errors["peaks.nope"] == "unknown setting"
    _, errors = config.validate({"mqtt": {"host": "a"}, "mqtt.host": "b"})
    assert "twice" in errors["mqtt.host"]


def test_config_redacted_never_shows_secrets():
    cfg, _ = config.validate(
        {
            "wifi.ssid": "home",
            "wifi.password": "hunter2hunter2",
            "mqtt.host": "b",
            "mqtt.user": "u",
            "mqtt.password": "pw-secret",
            "http.token": "tok-secret",
        }
    )
    shown = config.redacted(cfg)
    text = repr(shown)
    for secret in ("hunter2hunter2", "pw-secret", "tok-secret"):
        assert secret not in text
    assert shown["wifi.password"] == "***" and shown["admin.password"] == "" and shown["wifi.ssid"] == "home"


def test_backoff_grows_with_jitter_and_caps():
    draws = []

    def rand_below(n):
        draws.append(n)
        return n - 1  # the longest delay each time

    b = Backoff(rand_below, first_ms=1000, cap_ms=60000)
    delays = [b.next_delay_ms() for _ in range(10)]
    assert delays[:7] == [1000, 2000, 4000, 8000, 16000, 32000, 60000] and delays[-1] == 60000
    b2 = Backoff(lambda n: 0)
    assert [b2.next_delay_ms() for _ in range(3)] == [500, 1000, 2000]  # shortest: half
    b2.reset()
    assert b2.next_delay_ms() == 500


def test_split_url():
    assert split_url("http://host/path") == (False, "host", 80, "/path")
    assert split_url("https://h.example:8443") == (True, "h.example", 8443, "/")
    for bad in ("ftp://x", "http://", "https://:80/"):
        try:
            split_url(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_store_atomic_and_capped():
    d = _tmpdir("store")
    store = JsonStore(d + "/c.json", max_bytes=100)
    assert store.load() is None
    store.save_text('{"a": 1}')
    assert store.load() == {"a": 1}
    try:
        store.save_text('{"a": "' + "x" * 200 + '"}')
    except ValueError:
        pass
    else:
        raise AssertionError("oversized save accepted")
    assert store.load() == {"a": 1}  # old file untouched
    assert "c.json.tmp" not in os.listdir(d)  # refused before anything was written
    with open(d + "/c.json", "w") as f:
        f.write("{broken")
    assert store.load() is None


def _hub_with_ring(store, channels=("mqtt",)):
    hub = Hub("t", "0")
    ring = HourlyRing(store, channels)
    hub.listeners.append(ring.on_telegram)
    dec = Decoder(lambda reading, framer: reading is not None and hub.telegram(reading))
    return hub, ring, dec


def _at(stamp, wh):
    return telegram(["0-0:1.0.0(%sW)" % stamp, "1-0:1.8.0(%s*kWh)" % ("%012.3f" % (wh / 1000))])


def test_hourly_ring_boundaries_reboot_and_acks():
    d = _tmpdir("ring")
    store = JsonStore(d + "/hourly.jsonl", 16384)
    hub, ring, dec = _hub_with_ring(store, ("mqtt", "http"))
    dec.feed(_at("260114172310", 1000))  # boot mid-hour: no snapshot
    dec.feed(_at("260114175950", 1500))
    assert ring.pending("mqtt") == []
    dec.feed(_at("260114180005", 2000))  # first telegram of 18:00
    dec.feed(_at("260114180015", 2100))
    dec.feed(_at("260114190002", 3000))
    snaps = ring.pending("mqtt")
    assert [s["hour"] for s in snaps] == ["2026-01-14T18:00:00", "2026-01-14T19:00:00"]
    assert snaps[0]["energy_import_wh"] == 2000 and snaps[0]["meter_time"] == "2026-01-14T18:00:05"
    ring.ack("mqtt", snaps[0])
    assert [s["hour"] for s in ring.pending("mqtt")] == ["2026-01-14T19:00:00"]
    assert len(ring.pending("http")) == 2  # each output acknowledges on its own
    # Reboot in the middle of the 19:00 hour: the ring comes back from flash, no duplicate.
    hub2, ring2, dec2 = _hub_with_ring(store, ("mqtt", "http"))
    assert [s["hour"] for s in ring2.pending("http")] == ["2026-01-14T18:00:00", "2026-01-14T19:00:00"]
    dec2.feed(_at("260114193000", 3500))
    assert len(ring2.rows) == 2
    dec2.feed(_at("260114200001", 4000))
    assert [s["hour"] for s in ring2.pending("http")][-1] == "2026-01-14T20:00:00"
    # A row every output has is dropped: without an outage the ring stays small on the heap.
    for snap in ring2.pending("http"):
        ring2.ack("http", snap)
    for snap in ring2.pending("mqtt"):
        ring2.ack("mqtt", snap)
    assert ring2.rows == [] and ring2.pending("mqtt") == [] and ring2.pending("http") == []


def test_hourly_ring_is_capped():
    hub, ring, dec = _hub_with_ring(None)
    for h in range(CAP + 10):
        day, hour = divmod(h, 24)
        dec.feed(_at("2601%02d%02d0000" % (1 + day, hour), 1000 * h))
    assert len(ring.rows) == CAP and ring.dropped == 9  # the first telegram makes no snapshot


def test_hub_contains_listener_failures():
    hub = Hub("t", "0")

    def broken(h):
        raise MemoryError("no heap")

    seen = []
    hub.listeners.append(broken)
    hub.listeners.append(lambda h: seen.append(h.seq))
    dec = Decoder(lambda reading, framer: reading is not None and hub.telegram(reading))
    dec.feed(telegram(["1-0:1.8.0(00000001.000*kWh)"]) * 2)
    assert seen == [1, 2] and hub.listener_errors == 2 and "MemoryError" in hub.last_listener_error


def test_home_assistant_discovery_metadata():
    assert ha_sensor_meta("energy_import_wh") == ("energy", "total_increasing", "Wh")
    assert ha_sensor_meta("reactive_energy_import_varh") == (None, "total_increasing", "varh")
    assert ha_sensor_meta("power_export_l2_w") == ("power", "measurement", "W")
    assert ha_sensor_meta("reactive_power_import_l1_var")[0] == "reactive_power"
    assert ha_sensor_meta("voltage_l1_v")[2] == "V" and ha_sensor_meta("current_l3_a")[2] == "A"
    assert ha_sensor_meta("meter_time") is None and ha_sensor_meta("text_message") is None
    import json

    topic, payload = ha_discovery("hp", "dev1", "power_w", "ADN9 6534", "0.1")
    cfg = json.loads(payload)
    assert topic == "homeassistant/sensor/dev1/power_w/config"
    assert cfg["unique_id"] == "dev1_power_w" and cfg["state_topic"] == "hp/dev1/state"
    assert cfg["availability_topic"] == "hp/dev1/status" and cfg["device"]["model"] == "ADN9 6534"
    assert ha_discovery("hp", "dev1", "meter_id", "x", "0.1") is None


def test_bad_config_never_stops_the_boot_and_leaks_nothing():
    from hanport.svc.startup import load_config

    d = _tmpdir("cfg")
    lines = []
    store = JsonStore(d + "/config.json")
    store.save_text('{"mqtt.host": "b", "mqtt.port": "x", "mqtt.password": "pw-leak-check"}')
    cfg, errors = load_config(store, lines.append)
    assert cfg == config.defaults() and "mqtt.port" in errors
    assert any("mqtt.port" in line for line in lines) and not any("pw-leak-check" in line for line in lines)
    with open(d + "/config.json", "w") as f:
        f.write("{not json")
    cfg, errors = load_config(store, lines.append)
    assert cfg == config.defaults()
    store.save_text('{"mqtt.host": "b", "mqtt.password": "pw-leak-check", "wifi.ssid": "x", "wifi.password": "12345678"}')
    lines = []
    cfg, errors = load_config(store, lines.append)
    assert cfg["mqtt.host"] == "b" and not errors and not any("pw-leak-check" in line or "12345678" in line for line in lines)


class _FakeClient:
    """Records what the service publishes (the real umqtt is exercised end to end)."""

    def __init__(self):
        self.published = []
        self.sock = None

    def set_last_will(self, *a, **k):
        pass

    def set_callback(self, cb):
        pass

    def connect(self):
        pass

    def subscribe(self, topic):
        pass

    def check_msg(self):
        pass

    def ping(self):
        pass

    def publish(self, topic, msg, retain=False, qos=0):
        self.published.append((topic, msg))


def test_mqtt_rate_limit_and_no_stale_republish():
    from hanport.svc import mqtt as mqtt_mod

    cfg, _ = config.validate({"mqtt.host": "b", "mqtt.min_interval_s": 3600, "mqtt.ha_discovery": False})
    hub = Hub("r", "0")
    client = _FakeClient()
    svc = mqtt_mod.MqttService(cfg, hub, lambda: client, lambda n: 0)
    dec = Decoder(lambda reading, framer: reading is not None and hub.telegram(reading))

    def states():
        return [m for t, m in client.published if t == b"hanport/r/state"]

    svc.step()  # connects, nothing to publish yet
    assert states() == [] and svc.state == mqtt_mod.UP
    dec.feed(_at("260114172310", 1000))
    svc.step()
    assert len(states()) == 1
    dec.feed(_at("260114172320", 1100))
    svc.step()
    assert len(states()) == 1  # min_interval_s = 3600: held back, latest value kept
    svc.step()
    assert len(states()) == 1
    hub.last_telegram_ms -= 120000  # the reading is two minutes old now
    svc.last_state_ms -= 3600 * 1000
    svc.step()
    assert len(states()) == 1  # stale: never republished as fresh


def test_support_telegrams_keep_the_last_good_and_bad_with_verdicts():
    from hanport.svc.meter import MeterService

    class Source:
        def readinto(self, buf):
            return 0

    hub = Hub("dev", "0")
    meter = MeterService(Source(), hub)
    assert meter.support_telegrams() == []
    good = telegram(["0-0:1.0.0(260114180000W)", "1-0:1.8.0(00012345.678*kWh)", "1-0:1.7.0(0001.234*kW)"])
    meter.decoder = meter._ascii_decoder()  # what the first identification line makes
    meter.decoder.feed(good)
    bad = bytearray(good)
    bad[good.index(b"12345")] ^= 0x01  # one bit of the energy register flipped in transit
    meter.decoder.feed(bytes(bad))
    items = meter.support_telegrams()
    assert [i["verdict"] for i in items] == ["crc_ok", "crc_error"]
    assert items[0]["raw"].encode() == good  # as sent, CRC line included
    bang = good.index(b"!")
    assert items[1]["raw"].encode() == bytes(bad[: bang + 1]) and items[1]["crc_sent"] == good[bang + 1 : bang + 5].decode()
    assert hub.reading_dict["energy_import_wh"] == 12345678  # the damaged one never reached the hub


def test_one_line_per_telegram_for_people():
    # make run's line: meter time | net power | per phase (import - export, current) | energy.
    from hanport.core.summary import line

    got = Collector()
    dec = Decoder(got)
    dec.feed(SwedishMeter(6).telegram())
    reading = got.items[0]
    text = line(reading)
    parts = text.split(" | ")
    assert parts[0] == reading["meter_time"][11:] and len(parts[0]) == 8
    watts = reading["power_w"]
    assert parts[1] == "net %s%d.%03d kW" % ("-" if watts < 0 else "", abs(watts) // 1000, abs(watts) % 1000)
    assert parts[2].startswith("L1 ") and parts[2].endswith(" %s A" % reading["current_l1_a"])
    assert parts[-2] == "in %d.%03d kWh" % (reading["energy_import_wh"] // 1000, reading["energy_import_wh"] % 1000)
    assert line({}) == "--:--:--"  # nothing sent, nothing made up
