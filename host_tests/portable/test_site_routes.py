# The normal-mode site's routes in process, on both runtimes: a real App fed real telegrams from
# the generator (no socket, no sleep), asked through webclient.py as a browser or evcc would ask:
# the HomeWizard API, the reading, the effekttariff with its fee, the status page, the settings
# behind the admin password (secrets never sent back, mistakes refused and nothing saved).
import binascii

from hanport.core import config
from hanport.core.jsonfmt import dumps
from hanport.core.lan.portal import SETTINGS_KEYS
from hanport.svc.app import App, Ports
from hanport.svc.site import NormalSite
from hanport.svc.store import JsonStore
from hanport.svc.web import WebServer
from support import BytesSource, form_body, hour_text, tmpdir
from telegen import SwedishMeter
from webclient import Client

ADMIN = "admin-pass-42"


def _www():
    import sys

    for path in sys.path:  # firmware/ is on the path of both runtimes' test set-ups
        if path.endswith("firmware"):
            return path + "/www"
    return "firmware/www"


def make_site(extra=None, seed=5, telegrams=4, interval=10, **port_options):
    meter = SwedishMeter(seed=seed, interval=interval)
    data = b"".join(meter.telegram() for _ in range(telegrams))
    d = tmpdir("routes")
    store = JsonStore(d + "/config.json")
    cfg = config.defaults()
    cfg.update({"wifi.ssid": "home", "wifi.password": "longenough", "admin.password": ADMIN, "peaks.prices": "52.50"})
    cfg.update(extra or {})
    store.save_text(dumps(config.to_file(cfg)))
    logs = []
    ports = Ports(BytesSource(data), logs.append, lambda n: 0, web_port=1, config_store=store, **port_options)
    app = App(cfg, ports, "routes")
    while app.meter.poll():
        pass
    site = NormalSite(app, store)
    site.web = WebServer(site, 0, _www())
    return Client(site), app, store, meter, logs


def _auth(password=ADMIN):
    return {"Authorization": "Basic " + binascii.b2a_base64(("admin:" + password).encode()).decode().strip()}


def test_read_only_api_answers_from_the_last_telegram():
    client, app, _, meter, _ = make_site()
    assert app.hub.seq >= 2, app.meter.describe()
    info = client.get("/api").json()
    assert info["product_type"] == "HWE-P1" and info["api_version"] == "v1"
    data = client.get("/api/v1/data").json()
    assert data["active_power_w"] == app.hub.reading_dict["power_w"]
    assert data["total_power_import_kwh"] * 1000 == app.hub.reading_dict["energy_import_wh"]
    reading = client.get("/api/reading").json()
    assert (
        reading["energy_import_wh"] == meter.truth["energy_import_wh"] and reading["meter_id"] == app.hub.reading_dict["meter_id"]
    )
    peaks = client.get("/api/peaks").json()
    assert peaks["preset"] == "max1" and peaks["rule"] == "your highest hour"
    assert peaks["fee"] == {"ore": 0, "sek": 0.0, "vat": True, "currency": "SEK"}  # no hour closed yet
    status = client.get("/api/status").json()
    assert status["meter"] == "ok" and status["telegrams"]["ok"] >= 2
    page = client.get("/", Accept_Encoding="gzip")
    assert page.status == 200 and page.ctype.startswith("text/html") and page.body[:2] == b"\x1f\x8b"
    assert client.post("/api/reading", b"x=1").status == 405  # read-only
    assert client.get("/nope").status == 404


def test_what_the_status_page_draws_hours_fuse_and_this_hours_limit():
    client, app, _, meter, _ = make_site({"meter.fuse_a": 20}, telegrams=21, interval=600)  # 3.5 hours of meter clock
    answer = client.get("/api/hours").json()
    assert answer["fields"] == ["hour", "import_wh", "export_wh", "partial"]
    rows = app.hourly.rows  # kept for the page although no output takes them
    hours = answer["hours"]
    assert len(rows) == 3 and len(hours) == 3, (rows, hours)
    for k in range(2):
        assert hours[k] == [hour_text(rows[k][0]), rows[k + 1][3] - rows[k][3], rows[k + 1][4] - rows[k][4], False]
    reading = app.hub.reading_dict
    assert hours[2][1:] == [reading["energy_import_wh"] - rows[2][3], reading["energy_export_wh"] - rows[2][4], True]
    assert hours[2][0] == reading["meter_time"][:13] + ":00"
    assert client.get("/api/status").json()["fuse_a"] == 20
    period = client.get("/api/peaks").json()["period"]
    left = 3600 - period["elapsed_s"]
    assert period["limit_w"] == (period["used_wh"] * 3600 + period["headroom_w"] * left) // 3600


def test_homewizard_v1_details_that_clients_rely_on():
    identified = []
    client, app, _, _, _ = make_site(seed=4, serial="a4cf12ab34cd", identify=lambda: identified.append(1))
    # HA keys the device on product_type + serial (the MAC's 12 hex digits), never on device.id
    assert client.get("/api").json()["serial"] == "a4cf12ab34cd"
    assert client.get("/api").json()["device_id"] == "routes"  # the MQTT name, shown on the status page
    assert client.get("/api").status == 200  # never 401: Home Assistant would switch to API v2 tokens
    assert client.get("/api/v1/system").json() == {"cloud_enabled": False}
    put = client.request("PUT", "/api/v1/identify")
    assert put.status == 200 and put.json() == {"identify": "ok"} and identified == [1]
    missing = client.get("/api/v2/nothing")
    assert missing.status == 404 and missing.ctype == "application/json" and "error" in missing.json()
    reading = app.hub.reading_dict
    data = client.get("/api/v1/data").json()
    # a Swedish meter has no tariff registers: its totals are tariff 1 as well (evcc adds t1..t4)
    assert data["total_power_import_t1_kwh"] == data["total_power_import_kwh"]
    assert data["total_power_export_t1_kwh"] * 1000 == reading["energy_export_wh"]
    exporting = 0
    for phase in ("l1", "l2", "l3"):
        net = reading["power_import_%s_w" % phase] - reading["power_export_%s_w" % phase]
        current = data["active_current_%s_a" % phase]
        assert str(abs(current)) == str(reading["current_%s_a" % phase]), phase  # value as sent
        assert (current < 0) == (net < 0 and current != 0), (phase, net, current)
        exporting += net < 0
    assert exporting  # the virtual meter's seed 4 exports on L3: the sign is tested


def test_settings_need_the_admin_password_and_never_show_secrets():
    client, _, store, _, _ = make_site()
    for path in ("/settings", "/api/settings", "/api/support"):
        reply = client.get(path)
        assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith("Basic"), path
    assert client.get("/api/settings", **_auth("wrong-password")).status == 401
    values = client.get("/api/settings", **_auth()).json()
    assert "wifi.password" not in values["values"] and values["secrets_set"]["wifi.password"] is True
    assert "longenough" not in str(values) and ADMIN not in str(values)
    support = client.get("/api/support", **_auth()).json()
    assert support["config"]["admin.password"] == "***" and "longenough" not in str(support)


def test_settings_refuse_a_bad_rule_and_save_a_good_one():
    client, _, store, _, _ = make_site()
    before = store.load()
    origin = {"Origin": "http://192.168.1.57"}
    changes = {"peaks.preset": "custom", "peaks.rule": "top=3 days hours=7-25"}
    body = form_body(SETTINGS_KEYS, config.defaults(), changes)
    reply = client.post("/api/settings", body, **dict(_auth(), **origin))
    assert reply.status == 400 and "hours: from-to" in reply.json()["errors"]["peaks.rule"]
    assert store.load() == before
    changes["peaks.rule"] = "top=3 days weekdays hours=7-20 months=11-3"
    body = form_body(SETTINGS_KEYS, config.defaults(), changes)
    reply = client.post("/api/settings", body, **dict(_auth(), **origin))
    assert reply.status == 200, reply.body
    saved = store.load()
    assert saved["peaks.rule"] == changes["peaks.rule"] and saved["wifi.password"] == "longenough"  # kept
    cross = client.post("/api/settings", body, **dict(_auth(), Origin="http://evil.example"))
    assert cross.status == 403
    # The main fuse: a whole number of amperes, 0 for "not known".
    for bad in ("16.5", "-1", "500", ""):
        body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"meter.fuse_a": bad}))
        reply = client.post("/api/settings", body, **dict(_auth(), **origin))
        assert reply.status == 400 and "main fuse" in reply.json()["errors"]["meter.fuse_a"], (bad, reply.body)
    assert store.load() == saved
    body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"meter.fuse_a": "25"}))
    assert client.post("/api/settings", body, **dict(_auth(), **origin)).status == 200
    assert store.load()["meter.fuse_a"] == 25
