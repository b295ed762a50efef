# The status page in headless Chromium against the host firmware (MicroPython unix port, .mpy
# build) fed by the virtual meter on a fast clock (a meter hour every 3 s): the values shown,
# read back from the DOM, equal the generator's telegrams and the API's answers; the fuse warning;
# the hourly bars and the month's peaks after hour crossings; English and Swedish by the
# browser's language; phone (360x800) and desktop (1280x800), light and dark; contrast, width,
# size and no outside resources. Screenshots go to host_tests/artifacts/ (docs/ has copies).
import gzip
import json
import os
import time
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

from harness import ARTIFACTS, FakeMeter, Firmware, chromium, free_port, wait_for
from support import hour_text

FUSE_A = 16
START_UTC = 1764738000 + 52 * 60  # 06:52 on the meter's clock, a Wednesday (2025-12-03; the preset counts 07-19)
PHONE, DESKTOP = (360, 800), (1280, 800)

# Everything the page shows, read in one go (the page updates every 2 s).
SNAPSHOT = """
var q=function(id){var e=document.getElementById(id);return e?e.textContent:null};
var out={lang:document.documentElement.lang,power:q("power"),direction:q("direction"),time:q("meter-time"),h_now:q("h-now"),
 rule:q("rule"),billed:q("billed"),gauge:q("gauge-text"),pnow:q("p-now"),pmin:q("p-min"),pmax:q("p-max"),
 today:q("today-sum"),phases:[],hours:[],peaks:[],D:window.D,scroll:document.documentElement.scrollWidth,
 bars:document.querySelectorAll("#today rect").length,peakbars:document.querySelectorAll("#peaks-chart rect").length,
 graph_labels:Array.prototype.map.call(document.querySelectorAll("#graph text"),function(t){return t.textContent}),
 charts:Array.prototype.map.call(document.querySelectorAll("svg.chart"),
  function(s){return [s.id,s.getAttribute("role"),s.getAttribute("aria-label")]})};
for(var i=1;i<=3;i++){var b=document.getElementById("ph"+i+"-bar");out.phases.push({hidden:document.getElementById("ph"+i).hidden,
 a:q("ph"+i+"-a"),pct:q("ph"+i+"-pct"),w:q("ph"+i+"-w"),v:q("ph"+i+"-v"),hi:q("ph"+i+"-hi"),hiclass:b.classList.contains("hi"),
 now:b.getAttribute("aria-valuenow")})}
function cells(r){return Array.prototype.map.call(r.cells,function(c){return c.textContent})}
Array.prototype.forEach.call(document.querySelectorAll("#hours-table tr"),function(r,k){if(k)out.hours.push(cells(r))});
Array.prototype.forEach.call(document.querySelectorAll("#peaks-table tr"),function(r,k){if(k)out.peaks.push(cells(r))});
return out;
"""

# WCAG contrast of every kind of text on the page against the background it is drawn on.
CONTRAST = """
function rgb(s){var m=s.match(/[\\d.]+/g);return m?m.map(Number):[0,0,0,0]}
function lum(c){var v=c.slice(0,3).map(function(x){x/=255;return x<=0.03928?x/12.92:Math.pow((x+0.055)/1.055,2.4)});
 return 0.2126*v[0]+0.7152*v[1]+0.0722*v[2]}
function bg(e){for(;e;e=e.parentElement){var c=rgb(getComputedStyle(e).backgroundColor);if(c.length<4||c[3]>0)return c}
 return [255,255,255]}
var out=[];
var kinds=["body","h2","#model",".ph-foot","#direction",".hi-text","footer a","td.v","summary","#gauge-text",".legend",
 "#today text","#graph text"];
kinds.forEach(function(sel){var e=document.querySelector(sel);if(!e)return;
 var svg=e instanceof SVGElement,fg=rgb(svg?getComputedStyle(e).fill:getComputedStyle(e).color);
 var a=lum(fg),b=lum(bg(svg?e.ownerSVGElement:e)),r=(Math.max(a,b)+0.05)/(Math.min(a,b)+0.05);
 out.push([sel,Math.round(r*100)/100])});
return {ratios:out,body_bg:lum(bg(document.body))};
"""


def _fmt(value, decimals, sv):
    """A number as the page writes it: rounded half away from zero (Intl), en-GB or sv-SE
    grouping (sv: no-break space and a comma; the minus sign U+2212)."""
    q = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = "{:,.{}f}".format(abs(q), decimals)
    if sv:
        text = text.replace(",", "\u00a0").replace(".", ",")
    return ("\u2212" if sv else "-") + text if q < 0 else text


def _power(w, sv):
    return _fmt(w, 0, sv) + " W" if abs(w) < 1000 else _fmt(Decimal(w) / 1000, 1, sv) + " kW"


def _kwh(wh, decimals, sv):
    return _fmt(Decimal(wh) / 1000, decimals, sv) + " kWh"


def _emulate(driver, size, dark=None, height=None):
    """The page as a screen of `size` (a phone below 500 px) shows it, `height` tall; dark or light
    (None: as it is)."""
    metrics = {"width": size[0], "height": height or size[1], "deviceScaleFactor": 1, "mobile": size[0] < 500}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    if dark is not None:
        scheme = {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [scheme]})


def _browser(base, size, dark, lang):
    driver = chromium(lang=lang)
    _emulate(driver, size, dark)
    driver.get(base + "/")
    return driver


def _look(driver, size, dark):
    _emulate(driver, size, dark)
    driver.execute_script("window.dispatchEvent(new Event('resize'))")  # the charts are drawn to the width


def _shot(driver, size, name):
    _emulate(driver, size, height=driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_script("window.dispatchEvent(new Event('resize'))")
    time.sleep(0.3)
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver.save_screenshot(os.path.join(ARTIFACTS, name))
    _emulate(driver, size)


def _check_now(snap, meter, sv):
    """The Now card against the telegram the page shows (found by its meter time among those sent)."""
    date, clock = snap["time"].split()[-2:]  # "meter time 2025-12-03 07:42:00"
    t = {t["meter_time"]: t for t in meter.sent()}[date + "T" + clock]
    assert snap["power"] == _power(abs(t["power_w"]), sv), (snap["power"], t["power_w"])
    words = ("fr\u00e5n n\u00e4tet", "till n\u00e4tet") if sv else ("from the grid", "to the grid")
    if t["power_w"]:
        assert snap["direction"].endswith(words[0] if t["power_w"] > 0 else words[1]), snap["direction"]
    for i, ph in enumerate(snap["phases"], 1):
        current = Decimal(t["current_l%d_a" % i])
        assert not ph["hidden"] and ph["a"] == _fmt(current, 1, sv) + " A", (i, ph, t)
        assert ph["v"] == _fmt(Decimal(t["voltage_l%d_v" % i]), 0, sv) + " V", (i, ph)
        assert ph["w"] == _power(t["power_import_l%d_w" % i] - t["power_export_l%d_w" % i], sv), (i, ph)
        over = current > Decimal(FUSE_A) * Decimal("0.9")
        assert ph["hiclass"] == over and bool(ph["hi"]) == over, (i, ph, t)  # the warning: colour and words
        assert ph["pct"].endswith("%d %%" % int(current * 100 / FUSE_A + Decimal("0.5"))) and Decimal(ph["now"]) == current
    return t


def _check_hours(snap, api_hours, truth, sv):
    """The hours table equals /api/hours, and each whole hour the generator's energy between the
    first telegrams of that hour and the next."""
    closed = [h for h in api_hours if not h[3]]
    shown = {row[0]: row for row in snap["hours"]}
    firsts = {}
    for t in truth:
        firsts.setdefault(t["meter_time"][:13], t)
    for hour, imported, exported, _ in closed:
        row = shown[hour.replace("T", " ")]
        assert row[1:] == [_kwh(imported, 2, sv), _kwh(exported, 2, sv)], (row, hour)
        after = firsts["%sT%02d" % (hour[:10], int(hour[11:13]) + 1)]
        assert imported == after["energy_import_wh"] - firsts[hour[:13]]["energy_import_wh"]
        assert exported == after["energy_export_wh"] - firsts[hour[:13]]["energy_export_wh"]
    return len(closed)


def _get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def test_status_page_phone_and_desktop_light_and_dark_english_and_swedish(tmp_path, mpy_build):
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    meter = FakeMeter(tmp_path, rate=5, interval=240, start=START_UTC)  # a meter hour every 3 s
    cfg = {"version": 1, "meter.fuse_a": FUSE_A, "peaks.preset": "sollentuna"}
    fw = Firmware(tmp_path, meter.link, cfg, heap="320k", extra=["--quiet", "--web-port", str(port)], mpy=mpy_build)
    drivers = []
    try:
        wait_for(lambda: "status page and API on port" in fw.output() and "meter: ok" in fw.output(), 20, what=fw.output)
        # Size and origin: the page with its style is at most 30 KB as served (gzip), and loads nothing from elsewhere.
        served = 0
        for path in ("/", "/style.css"):
            req = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=10) as r:
                body = r.read()
                served += len(body)
                page = gzip.decompress(body)
        assert served <= 30 * 1024, served
        assert b"http://" not in page.replace(b"http://www.w3.org/", b"") and b"https://" not in page, "an outside resource"

        en = _browser(base, PHONE, False, "en-GB")
        drivers.append(en)
        seen = {"over": 0, "under": 0}

        def phone_shows_everything():
            snap = en.execute_script(SNAPSHOT)
            if not snap["time"] or snap["power"] == "\u2013":
                return False
            _check_now(snap, meter, False)  # every time it is looked at
            for ph in snap["phases"]:
                seen["over" if ph["hiclass"] else "under"] += 1
            hours = (snap["D"].get("hours") or {}).get("hours") or []
            return seen["over"] and seen["under"] and _check_hours(snap, hours, meter.sent(), False) >= 2 and snap["peaks"]

        wait_for(
            phone_shows_everything,
            60,
            step=0.5,
            what=lambda: "page: %s\nfirmware: %s" % (en.execute_script(SNAPSHOT), fw.output()[-1500:]),
        )
        snap = en.execute_script(SNAPSHOT)
        assert snap["lang"] == "en" and snap["h_now"] == "Now" and snap["scroll"] <= PHONE[0], snap[
            "scroll"
        ]  # no sideways scrolling
        assert snap["bars"] > 0 and snap["peakbars"] == len(snap["D"]["peaks"]["peaks"]) > 0
        # The hours shown equal /api/hours (the closed ones do not change).
        # A closed hour never changes: each one the page has is in /api/hours as it is now, and equals
        # the difference of the hourly snapshots on flash (the rows MQTT and HTTP would deliver).
        api_hours = _get(base, "/api/hours")["hours"]
        page_closed = [h for h in snap["D"]["hours"]["hours"] if not h[3]]
        assert page_closed and all(h in api_hours for h in page_closed), (page_closed, api_hours)
        with open(os.path.join(str(tmp_path), "data", "hourly.json")) as f:
            rows = [json.loads(line) for line in f][1:]  # after the head line: [YYMMDDHH, date, clock, import Wh, export Wh, ...]
        by_hour = {hour_text(r[0]): r for r in rows}
        checked = 0
        for hour, imported, exported, _ in [h for h in api_hours if not h[3]]:
            after = "%sT%02d:00" % (hour[:10], int(hour[11:13]) + 1)
            if hour in by_hour and after in by_hour:
                assert [imported, exported] == [by_hour[after][3] - by_hour[hour][3], by_hour[after][4] - by_hour[hour][4]], hour
                checked += 1
        assert checked >= 2, (api_hours, rows)
        # The fee: the rule in the preset's words, the counted peaks and the billed value as /api/peaks has them.
        peaks = snap["D"]["peaks"]
        assert peaks["rule"] in snap["rule"] and "3 highest hours" in snap["rule"]
        assert sorted(p[0] for p in snap["peaks"]) == sorted(
            x["start"].replace("T", " ")[:16] + (" \u00bd" if x["weight"] < 1 else "") for x in peaks["peaks"]
        )
        assert [p[1] for p in sorted(snap["peaks"])] == [
            _power(x["avg_w"], False) for x in sorted(peaks["peaks"], key=lambda x: x["start"])
        ]
        assert _power(peaks["billed_w"], False) in snap["billed"]
        if peaks.get("period"):
            assert _power(peaks["period"]["projected_w"], False) in snap["gauge"]
        # The 15-minute graph: now, min and max as /api/history had them, on a labelled axis.
        values = [w for _, w in snap["D"]["history"]]
        assert snap["pmin"] == _power(min(values), False) and snap["pmax"] == _power(max(values), False)
        assert (
            ("kW" in snap["graph_labels"] or "W" in snap["graph_labels"])
            and "now" in snap["graph_labels"]
            and len(snap["graph_labels"]) >= 6
        )
        assert all(role == "img" and label for _, role, label in snap["charts"]), snap["charts"]
        for dark in (False, True):
            _look(en, PHONE, dark)
            contrast = en.execute_script(CONTRAST)
            assert (contrast["body_bg"] < 0.05) == dark, contrast
            assert all(r >= 4.5 for _, r in contrast["ratios"]), (dark, contrast)
        _look(en, PHONE, False)
        # The picture for the docs shows a warning when a phase goes above 90 % of the fuse soon.
        try:
            wait_for(lambda: any(p["hiclass"] for p in en.execute_script(SNAPSHOT)["phases"]), 4, step=0.2)
        except AssertionError:
            pass  # checked above already: a picture without one
        _shot(en, PHONE, "status-page.png")
        _look(en, DESKTOP, True)
        snap = en.execute_script(SNAPSHOT)
        _check_now(snap, meter, False)
        tops = en.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('main > section'),function(s){return s.offsetTop})"
        )
        assert tops[0] == tops[1], tops  # side by side on a wide screen
        _shot(en, DESKTOP, "status-page-desktop-dark.png")

        # A Swedish browser: Swedish words and numbers, the rule in Swedish; the switch goes to English and stays.
        sv = _browser(base, PHONE, True, "sv-SE")
        drivers.append(sv)

        def swedish():
            snap = sv.execute_script(SNAPSHOT)
            return snap["time"] and snap["power"] != "\u2013" and snap["D"].get("peaks") and snap["hours"] and snap

        wait_for(swedish, 20, step=0.5, what=lambda: sv.execute_script(SNAPSHOT))
        snap = sv.execute_script(SNAPSHOT)
        assert (
            snap["lang"] == "sv"
            and snap["h_now"] == "Just nu"
            and "medelv\u00e4rdet av dina 3 h\u00f6gsta timmar" in snap["rule"]
        ), snap["rule"]
        _check_now(snap, meter, True)
        _check_hours(snap, snap["D"]["hours"]["hours"], meter.sent(), True)
        _shot(sv, PHONE, "status-page-sv-dark.png")
        _look(sv, DESKTOP, False)
        _check_now(sv.execute_script(SNAPSHOT), meter, True)
        sv.find_element("id", "lang").click()
        assert sv.execute_script(SNAPSHOT)["h_now"] == "Now"
        sv.get(base + "/")
        wait_for(lambda: sv.execute_script(SNAPSHOT)["lang"] == "en", 5, what="English kept after a reload")
        assert fw.proc.poll() is None and "Traceback" not in fw.output()
    finally:
        for d in drivers:
            d.quit()
        fw.stop()
        meter.stop()
