# Request-head parsing limits and the HomeWizard v1 mapping, on both runtimes.
from hanport.core.lan.homewizard import data_v1
from hanport.core.lan.httphead import head_end, parse_head


def test_head_parsing_and_limits():
    raw = b"GET /api/v1/data?x=1 HTTP/1.1\r\nHost: a\r\nX-Y:  z \r\n\r\n"
    assert head_end(raw) == len(raw) and head_end(raw[:-2]) == -1
    head, status = parse_head(raw)
    assert status == 0 and head.method == "GET" and head.path == "/api/v1/data" and head.query == "x=1"
    assert head.headers["x-y"] == "z" and head.content_length == 0
    cases = [
        (b"GET /" + b"a" * 1100 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\n" + b"X: " + b"b" * 2100 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(40)) + b"\r\n", 431),
        (b"POST / HTTP/1.1\r\nContent-Length: 99999\r\n\r\n", 413),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"GET / FTP/1.0\r\n\r\n", 400),
        (b"GET noslash HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET /\xff\xfe HTTP/1.1\r\n\r\n", 400),
        (b"\r\n\r\n", 400),
    ]
    for raw, want in cases:
        head, status = parse_head(raw)
        assert head is None and status == want, (raw[:40], status)


def test_homewizard_v1_fields():
    reading = {
        "meter_id": "ADN9 6534",
        "energy_import_wh": 10117368,
        "energy_export_wh": 5,
        "power_import_w": 4251,
        "power_export_w": 0,
        "power_import_l1_w": 1462,
        "power_export_l1_w": 0,
        "voltage_l1_v": 221,
        "current_l1_a": 7,
        "gas_time": "2026-01-14T17:00:00",
        "tariff": 2,
    }
    data = data_v1(reading, "home", -55)
    assert str(data["total_power_import_kwh"]) == "10117.368" and str(data["total_power_export_kwh"]) == "0.005"
    assert data["active_power_w"] == 4251 and data["active_power_l1_w"] == 1462
    assert data["active_voltage_l1_v"] == 221 and data["active_current_l1_a"] == 7
    assert data["meter_model"] == "ADN9 6534" and data["wifi_ssid"] == "home" and data["wifi_strength"] == 90
    assert data["gas_timestamp"] == 260114170000 and data["active_tariff"] == 2
    assert "active_power_l2_w" not in data  # absent, never 0
    assert data_v1(None) == {}


def test_power_history_buckets():
    from hanport.svc.history import PowerHistory

    class Hub:
        reading_dict = {"power_w": 1500}

    h = PowerHistory()
    h.on_telegram(Hub())
    Hub.reading_dict = {"power_w": -300}
    h.on_telegram(Hub())  # same 10 s bucket: latest wins
    assert h.series() == [[0, -300]]
    Hub.reading_dict = {"energy_import_wh": 1}
    h.on_telegram(Hub())  # no power sent: nothing stored
    assert h.series() == [[0, -300]]
