# Setup mode and admin rules on both runtimes: setup network name/password, when setup opens,
# Basic auth and the same-origin rule, and the setup site's flow (probe redirect, field errors,
# atomic save, join result, finish) driven through its routes with a scripted radio.
import json

from hanport.core import config
from hanport.core.lan.auth import basic_password, is_admin, same_origin, same_secret
from hanport.core.lan.httphead import parse_head
from hanport.core.lan.portal import PROBE_PATHS, SETUP_KEYS, ap_password, ap_ssid, is_probe, setup_errors, setup_reason
from hanport.svc.gate import AdminGate
from hanport.svc.setup import SetupSite
from hanport.svc.store import JsonStore
from hanport.svc.web import Request, StaticFile
from support import form_body, tmpdir

HOST = "192.168.4.1"


def test_setup_network_name_and_password():
    assert ap_ssid(b"\x24\x6f\x28\x1a\x2b\x3c") == "hanport-2b3c"
    pw = ap_password(bytes(range(32)))
    assert len(pw) == 14 and pw.count("-") == 2 and 8 <= len(pw) <= 63
    for ch in pw.replace("-", ""):
        assert ch not in "01lIoO"
    assert ap_password(bytes(range(1, 33))) != pw  # other random bytes, other password
    assert ap_password(b"\xff" * 20 + bytes(range(12))) == ap_password(bytes(range(12)))  # >= 248 skipped
    try:
        ap_password(b"\xf8" * 40)
        raise AssertionError("accepted too few usable bytes")
    except ValueError:
        pass


def test_when_setup_opens():
    ok = config.defaults()
    ok["wifi.ssid"] = "home"
    assert setup_reason(True, ok, False, None) is None
    assert setup_reason(True, ok, True, None) == "button"
    assert setup_reason(False, config.defaults(), False, None) == "no_config"
    assert setup_reason(True, config.defaults(), False, None) == "no_config"  # valid but no network
    assert setup_reason(True, ok, False, 299999) is None
    assert setup_reason(True, ok, False, 300000) == "wifi_failed"
    for path in ("/generate_204", "/hotspot-detect.html", "/connecttest.txt", "/ncsi.txt", "/canonical.html", "/success.txt"):
        assert is_probe(path) and path in PROBE_PATHS
    assert not is_probe("/") and not is_probe("/api/setup")
    errors = setup_errors(config.defaults())
    assert "wifi.ssid" in errors and "admin.password" in errors


def _headers(**kw):
    return {k.replace("_", "-"): v for k, v in kw.items()}


def test_admin_password_and_origin_rules():
    import binascii

    def basic(user_pw):
        return "Basic " + binascii.b2a_base64(user_pw.encode()).decode().strip()

    assert basic_password(basic("admin:s3cret:with:colons")) == "s3cret:with:colons"
    assert basic_password("Basic !!!") is None and basic_password("Bearer x") is None and basic_password(None) is None
    assert same_secret("abc", "abc") and not same_secret("abd", "abc") and not same_secret("ab", "abc")
    assert not same_secret("", "abc") and not same_secret("abc", "")
    assert is_admin({"authorization": basic("x:goodpass1")}, "goodpass1")
    assert not is_admin({"authorization": basic("x:badpass12")}, "goodpass1")
    assert not is_admin({"authorization": basic("x:")}, "")  # no admin password: nobody
    assert same_origin(_headers(host="192.168.4.1", origin="http://192.168.4.1", sec_fetch_site="same-origin"))
    assert same_origin(_headers(host="192.168.4.1"))  # curl: no browser, no victim
    assert not same_origin(_headers(host="192.168.4.1", origin="http://evil.example"))
    assert not same_origin(_headers(host="192.168.4.1", origin="null"))
    assert not same_origin(_headers(host="192.168.4.1", sec_fetch_site="cross-site"))
    assert not same_origin(_headers(origin="http://192.168.4.1"))  # no Host to compare with


def test_admin_gate_locks_out_guessing():
    gate = AdminGate()
    wrong = Request(_head("GET", "/api/settings", {"Authorization": "Basic eDp3cm9uZ3Bhc3M="}), b"")
    statuses = [gate.check(wrong, "rightpass")[0] for _ in range(6)]
    assert statuses[:4] == [401] * 4 and statuses[4] == 401 and statuses[5] == 429
    assert gate.check(wrong, "")[0] == 403  # no admin password set: settings closed


class Radio:
    """Scripted radio: join answers after `after` polls."""

    def __init__(self, outcome, after=2):
        self.outcome = outcome
        self.after = after
        self.polls = 0
        self.joined = None

    def scan(self):
        return [("home", -60, True), ("<b>x</b>", -80, False), ("home", -50, True), ("", -40, False)]

    def join(self, ssid, password):
        self.joined = (ssid, password)
        self.polls = 0

    def join_state(self):
        self.polls += 1
        return ("joining", "") if self.polls < self.after else self.outcome


def _head(method, path, headers):
    lines = "".join("%s: %s\r\n" % (k, headers[k]) for k in headers)
    head, status = parse_head(("%s %s HTTP/1.1\r\n%s\r\n" % (method, path, lines)).encode())
    assert status == 0
    return head


class Web:
    def static(self, name, request):
        return 200, "text/html", StaticFile(name, True), None


def _site(radio, cfg=None, reason="no_config"):
    d = tmpdir("portal")
    store = JsonStore(d + "/config.json")
    logs = []
    site = SetupSite(cfg or config.defaults(), store, radio, logs.append, reason, "hanport-2b3c", HOST)
    site.web = Web()
    return site, store, d, logs


def _call(site, method, path, body=b"", **headers):
    h = {"Host": HOST}
    if method == "POST":
        h["Content-Type"] = "application/x-www-form-urlencoded"
        h["Content-Length"] = str(len(body))
    for k in headers:
        h[k.replace("_", "-")] = headers[k]
    status, ctype, out, extra = site.route(Request(_head(method, path, h), body))
    return status, (json.loads(out) if ctype == "application/json" else out), extra


def _form(**changes):
    return form_body(SETUP_KEYS, config.defaults(), {k.replace("_", ".", 1): v for k, v in changes.items()})


def test_setup_site_flow():
    radio = Radio(("connected", "192.168.1.57"))
    site, store, d, logs = _site(radio)
    for probe in ("/generate_204", "/hotspot-detect.html", "/connecttest.txt", "/ncsi.txt", "/canonical.html", "/success.txt"):
        status, _, extra = _call(site, "GET", probe)
        assert status == 302 and extra["Location"] == "http://192.168.4.1/"
    status, _, extra = _call(site, "GET", "/", Host="connectivitycheck.gstatic.com")
    assert status == 302  # any other host name: to the portal
    status, page, _ = _call(site, "GET", "/")
    assert status == 200 and page.path == "config.html"
    _, nets, _ = _call(site, "GET", "/api/setup/networks")
    assert nets == [{"ssid": "home", "rssi": -50, "secure": True}, {"ssid": "<b>x</b>", "rssi": -80, "secure": False}]
    _, info, _ = _call(site, "GET", "/api/setup")
    assert info["values"]["mqtt.port"] == 1883 and "wifi.password" not in info["values"]
    assert info["secrets_set"]["wifi.password"] is False and info["mode"] == "setup"
    # Invalid: errors per field, nothing saved, no join.
    status, out, _ = _call(
        site, "POST", "/api/setup", _form(wifi_ssid="home", wifi_password="short", mqtt_port="99999", admin_password="x")
    )
    assert status == 400 and set(out["errors"]) == {"wifi.password", "mqtt.port", "admin.password"}  # all at once
    status, out, _ = _call(site, "POST", "/api/setup", _form(wifi_ssid="home", wifi_password="longenough", admin_password="x"))
    assert status == 400 and set(out["errors"]) == {"admin.password"}
    assert store.load() is None and radio.joined is None
    # Cross-origin: refused before anything is read.
    body = _form(wifi_ssid="home", wifi_password="longenough", admin_password="adminpass")
    status, out, _ = _call(site, "POST", "/api/setup", body, Origin="http://evil.example")
    assert status == 403 and store.load() is None
    # Valid: saved atomically, then the join is tried; the page polls the result.
    status, out, _ = _call(site, "POST", "/api/setup", body, Origin="http://192.168.4.1")
    assert status == 202 and radio.joined == ("home", "longenough")
    saved = store.load()
    assert saved["wifi.ssid"] == "home" and saved["admin.password"] == "adminpass" and saved["version"] == config.VERSION
    assert config.validate(saved)[1] == {}
    assert _call(site, "POST", "/api/setup/finish")[0] == 409  # not connected yet
    assert not site.watch() and _call(site, "GET", "/api/setup/result")[1]["state"] == "joining"
    site.watch()
    assert _call(site, "GET", "/api/setup/result")[1] == {"state": "connected", "detail": "192.168.1.57"}
    _, info, _ = _call(site, "GET", "/api/setup")
    assert info["secrets_set"]["wifi.password"] is True and "longenough" not in json.dumps(info)
    assert _call(site, "POST", "/api/setup/finish")[0] == 200 and site.watch()
    assert not [line for line in logs if "longenough" in line or "adminpass" in line]


def test_setup_takes_the_advanced_settings_too():
    # Boards without PSRAM have no settings page in normal mode: the portal is where the
    # effekttariff rule, the meter key or the CRC policy are set. Optional in the form.
    from hanport.core.lan.portal import SETTINGS_KEYS

    site, store, _, _ = _site(Radio(("connected", "192.168.1.57")))
    _, info, _ = _call(site, "GET", "/api/setup")
    assert info["values"]["meter.crc"] == "auto" and info["values"]["peaks.preset"] == "max1"
    changes = {"wifi.ssid": "home", "wifi.password": "longenough", "admin.password": "adminpass"}
    body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"peaks.preset": "sollentuna", "meter.crc": "bogus"}))
    status, out, _ = _call(site, "POST", "/api/setup", body)
    assert status == 400 and set(out["errors"]) == {"meter.crc"} and store.load() is None
    body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"peaks.preset": "sollentuna", "meter.crc": "required"}))
    assert _call(site, "POST", "/api/setup", body)[0] == 202
    saved = store.load()
    assert saved["peaks.preset"] == "sollentuna" and saved["meter.crc"] == "required"


def test_setup_site_reports_failure_and_keeps_form():
    radio = Radio(("failed", "wrong password"), after=1)
    site, store, d, _ = _site(radio)
    assert (
        _call(site, "POST", "/api/setup", _form(wifi_ssid="home", wifi_password="wrongpass1", admin_password="adminpass"))[0]
        == 202
    )
    site.watch()
    assert _call(site, "GET", "/api/setup/result")[1] == {"state": "failed", "detail": "wrong password"}
    assert not site.done
    # Fixed password, empty admin field: the admin password saved before stays.
    assert _call(site, "POST", "/api/setup", _form(wifi_ssid="home", wifi_password="rightpass1"))[0] == 202
    assert store.load()["admin.password"] == "adminpass" and store.load()["wifi.password"] == "rightpass1"


def test_setup_after_wifi_failure_needs_admin_password():
    cfg = config.defaults()
    cfg["wifi.ssid"] = "home"
    cfg["wifi.password"] = "homepass1"
    cfg["admin.password"] = "adminpass"
    site, store, d, _ = _site(Radio(("failed", "network not found")), cfg, reason="wifi_failed")
    assert _call(site, "GET", "/api/setup")[0] == 401
    assert (
        _call(site, "POST", "/api/setup", _form(wifi_ssid="x", wifi_password="whatever1", admin_password="newadmin1"))[0] == 401
    )
    assert store.load() is None
    auth = "Basic eDphZG1pbnBhc3M="  # x:adminpass
    status, info, _ = _call(site, "GET", "/api/setup", Authorization=auth)
    assert status == 200 and info["values"]["wifi.ssid"] == "home"


def test_setup_after_wifi_failure_retries_the_home_network():
    from hanport.svc import setup as setup_module

    cfg = config.defaults()
    cfg["wifi.ssid"] = "home"
    cfg["wifi.password"] = "homepass1"
    radio = Radio(("failed", "network not found"), after=1)
    site, store, d, logs = _site(radio, cfg, reason="wifi_failed")
    saved = setup_module._RETRY_HOME_MS
    setup_module._RETRY_HOME_MS = -1  # retry at once instead of after a minute
    try:
        assert not site.watch() and radio.joined == ("home", "homepass1")  # tried, in the background
        assert not site.watch() and site.state == "idle"  # failed quietly: the page shows no error
        radio.outcome = ("connected", "192.168.1.57")
        site.watch()
        assert site.watch() and site.done  # the home network is back: leave setup
    finally:
        setup_module._RETRY_HOME_MS = saved
    assert store.load() is None  # nothing was saved


BAD_RULES = (
    ("", "empty"),
    ("top=0", "1 to 10"),
    ("top=11", "1 to 10"),
    ("top=three", "1 to 10"),
    ("tops=3", "unknown word"),
    ("top=3 months=13-2", "months"),
    ("top=3 months=1,1", "months"),
    ("top=3 hours=20-7", "hours"),
    ("top=3 hours=7-25", "hours"),
    ("top=3 night=22-22*1/2", "night"),
    ("top=3 night=22-6*2/2", "night"),
    ("top=3 period=30", "15 or 60"),
    ("top=3 vat=maybe", "incl or excl"),
    ("top=3 price=52,5", "price"),
    ("top=3 price=4-10:52", "every month once"),
    ("a: top=1; a: top=2", "names must differ"),
    ("a: top=1; b: other=c", "no set has that name"),
    ("a: top=1 other=a", "window of its own"),
    ("a: top=1; b: other=a hours=7-9", "other="),
    ("top=1; top=2; top=3; top=4; top=5", "at most 4 sets"),
    ("top=3 hours=7", "hours"),
)


def test_own_rule_mistakes_are_refused_with_a_message_and_nothing_saved():
    from hanport.core.lan.portal import SETTINGS_KEYS

    assert len(BAD_RULES) >= 20
    site, store, _, _ = _site(Radio(("connected", "192.168.1.57")))
    changes = {"wifi.ssid": "home", "wifi.password": "longenough", "admin.password": "adminpass", "peaks.preset": "custom"}
    for rule, words in BAD_RULES:
        body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"peaks.rule": rule}))
        status, out, _ = _call(site, "POST", "/api/setup", body)
        assert status == 400 and set(out["errors"]) == {"peaks.rule"}, (rule, out)
        assert words in out["errors"]["peaks.rule"], (rule, out["errors"])
        assert store.load() is None, rule
    # a rule and prices that disagree, and a rule without custom
    for extra, key in (({"peaks.rule": "a: top=1; b: top=2", "peaks.prices": "52"}, "peaks.prices"),):
        body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **extra))
        status, out, _ = _call(site, "POST", "/api/setup", body)
        assert status == 400 and set(out["errors"]) == {key} and store.load() is None
    _, errors = config.validate({"peaks.preset": "custom", "peaks.rule": "top=1 " + "days " * 60})
    assert errors == {"peaks.rule": "at most 240 characters"}
    _, errors = config.validate({"peaks.preset": "sollentuna", "peaks.rule": "top=1"})
    assert set(errors) == {"peaks.rule"}
    _, errors = config.validate({"peaks.preset": "ellevio"})
    assert "custom" in errors["peaks.preset"]


def test_own_rule_round_trips_and_bills_as_the_preset_does():
    from hanport.core.lan.portal import SETTINGS_KEYS
    from hanport.core.tariff.billing import PeakTracker, schedule_for
    from hanport.core.tariff.presets import load
    from hanport.core.tariff.rulewords import describe, parse

    text = load("sollentuna")[1][-1][1]  # the preset's own words, prices and all
    site, store, _, _ = _site(Radio(("connected", "192.168.1.57")))
    changes = {"wifi.ssid": "home", "wifi.password": "longenough", "admin.password": "adminpass"}
    body = form_body(SETTINGS_KEYS, config.defaults(), dict(changes, **{"peaks.preset": "custom", "peaks.rule": text}))
    assert _call(site, "POST", "/api/setup", body)[0] == 202
    saved = store.load()
    assert saved["peaks.rule"] == text and saved["peaks.preset"] == "custom"
    assert describe(parse(saved["peaks.rule"])[0]) == (
        "the mean of your 3 highest hours, weekdays except holidays between 07 and 19"
    )
    mine = PeakTracker("custom", schedule_for("custom", saved["peaks.rule"]))
    theirs = PeakTracker("sollentuna")
    from hanport.core.calendar import day_number

    for day, minute, wh in (
        (13, 480, 5200),
        (13, 1200, 9000),
        (14, 600, 4100),
        (17, 600, 9900),
        (19, 420, 6100),
        (20, 1080, 3000),
    ):
        for t in (mine, theirs):
            t.add(day_number(2026, 1, day), minute, 60, wh, True)
    a, b = mine.result(), theirs.result()
    assert a["billed_w"] == b["billed_w"] == (6100 + 5200 + 4100 + 1) // 3 and a["peaks"] == b["peaks"]
    assert a["fee"] == b["fee"] and a["fee"]["ore"] == (5133 * 11150 + 500) // 1000
