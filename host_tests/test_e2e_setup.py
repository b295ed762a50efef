# First-run setup and settings in a real browser: the firmware (MicroPython unix port, .mpy
# build) in setup mode on high ports, headless Chromium filling the captive page, the saved
# config checked byte for byte, then normal mode's status page and the password-protected
# settings page. Screenshots go to host_tests/artifacts/.
import base64
import http.server
import json
import os
import threading
import time
import urllib.error
import urllib.request

import dns.message
import dns.query
from selenium.webdriver.common.by import By

from harness import FakeMeter, Firmware, chromium, free_port, screenshot, wait_for

HOME_PASSWORD = "correct horse battery"
ADMIN_PASSWORD = "admin-pass-42"
NETWORKS = [
    {"ssid": "home", "rssi": -48, "secure": True, "password": HOME_PASSWORD},
    {"ssid": "<img src=x onerror=window.pwned=1>", "rssi": -70, "secure": False, "password": ""},
    {"ssid": "Grannens 5G", "rssi": -81, "secure": True, "password": "not yours"},
]


def _text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def _type(driver, element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def _config(path):
    with open(path) as f:
        return json.load(f)


def test_first_run_setup_status_and_settings_in_chromium(tmp_path, mpy_build):
    web, dns_port = free_port(), free_port()
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps(NETWORKS))
    config_path = str(tmp_path / "config.json")
    meter = FakeMeter(tmp_path, rate=1)
    extra = ["--quiet", "--setup", "--config", config_path, "--web-port", str(web), "--dns-port", str(dns_port)]
    # 320 KB, as make run: on the 64-bit unix port normal mode with web and MQTT (and the host
    # shell's update code, ~4 KB there) leaves too little of 256 KB for a browser's parallel requests,
    # each settings request loading ~32 KB of admin code there (MemoryError; at 288 KB it still failed
    # once in CI under load); objects are half that on the ESP32, whose heap make mem measures on
    # 32 bits (the web server runs on PSRAM boards only).
    fw = Firmware(tmp_path, meter.link, None, heap="320k", extra=extra + ["--scan-file", str(scan)], mpy=mpy_build)
    driver = None
    try:
        wait_for(lambda: "setup: portal on port" in fw.output(), 20, what=fw.output)
        # Captive DNS: every name resolves to the portal.
        answer = dns.query.udp(dns.message.make_query("connectivitycheck.gstatic.com", "A"), "127.0.0.1", 3, dns_port)
        assert [r.address for r in answer.answer[0]] == ["127.0.0.1"]
        driver = chromium()
        base = "http://127.0.0.1:%d" % web
        driver.get(base + "/generate_204")  # what Android asks first: redirected to the setup page
        wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#nets .net")) == 3, 15, what="scan list")
        assert driver.current_url == base + "/" and driver.title == "hanport setup hanport-host"
        nets = driver.find_elements(By.CSS_SELECTOR, "#nets .net")
        assert nets[0].text.startswith("home") and "-48 dBm" in nets[0].text  # strongest first
        # A hostile network name is shown as text, never run.
        assert "<img src=x onerror=window.pwned=1>" in nets[1].text
        assert not driver.find_elements(By.CSS_SELECTOR, "#nets img") and driver.execute_script("return window.pwned") is None
        screenshot(driver, "setup-page.png")
        # Field errors from the server, next to their fields; nothing saved.
        nets[0].click()
        assert driver.find_element(By.ID, "wifi.ssid").get_attribute("value") == "home"
        _type(driver, "wifi.password", "wrong password")
        _type(driver, "mqtt.port", "99999")
        _type(driver, "admin.password", "short")
        driver.find_element(By.ID, "save").click()
        wait_for(lambda: _text(driver, "err-mqtt.port"), 10, what="field error")
        assert "1-65535" in _text(driver, "err-mqtt.port") and "8 characters" in _text(driver, "err-admin.password")
        assert _text(driver, "err-wifi.ssid") == "" and not os.path.exists(config_path)
        screenshot(driver, "setup-errors.png")
        # Valid form, wrong Wi-Fi password: saved, tried, and the reason shown.
        _type(driver, "mqtt.port", str(free_port()))
        _type(driver, "mqtt.host", "127.0.0.1")  # no broker there: MQTT retries, the web keeps answering
        _type(driver, "admin.password", ADMIN_PASSWORD)
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(By.ID, "meter.fuse_a")).select_by_value("20")  # the main fuse, for the status page's bars
        driver.find_element(By.ID, "save").click()
        wait_for(lambda: "Could not connect: wrong password" in _text(driver, "result-text"), 15, what="join failure")
        # Right password: connected, then Finish switches to normal mode.
        _type(driver, "wifi.password", HOME_PASSWORD)
        driver.find_element(By.ID, "save").click()
        wait_for(lambda: "Connected to your home network" in _text(driver, "result-text"), 15, what="join result")
        screenshot(driver, "setup-result.png")
        saved = _config(config_path)
        assert saved["wifi.ssid"] == "home" and saved["wifi.password"] == HOME_PASSWORD
        assert saved["admin.password"] == ADMIN_PASSWORD and saved["mqtt.host"] == "127.0.0.1" and saved["mqtt.port"] > 1024
        assert saved["meter.fuse_a"] == 20
        driver.find_element(By.ID, "finish").click()
        wait_for(lambda: "status page and API on port" in fw.output() and "meter: ok" in fw.output(), 20, what=fw.output)
        # Normal mode: the status page fills itself from the API.
        driver.get(base + "/")
        wait_for(
            lambda: _text(driver, "power").endswith("W"),  # e.g. "1.5 kW" or "850 W"
            20,
            what=lambda: (
                "live power on the status page; browser: %s; firmware: %s" % (driver.get_log("browser"), fw.output()[-2000:])
            ),
        )
        assert _text(driver, "dev") == "hanport-host" and _text(driver, "model") == "ADN9 6534"
        wait_for(lambda: _text(driver, "ph1-pct").startswith("of 20 A"), 10, what="the fuse given at setup on the page")
        screenshot(driver, "status-after-setup.png")
        # Settings: behind the admin password; secrets never sent back.
        for path in ("/settings", "/api/settings"):
            try:
                urllib.request.urlopen(base + path, timeout=5)
                raise AssertionError(path + " answered without the admin password")
            except urllib.error.HTTPError as e:
                assert e.code == 401 and e.headers["WWW-Authenticate"].startswith("Basic")
        token = base64.b64encode(("admin:" + ADMIN_PASSWORD).encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": "Basic " + token}})
        driver.get(base + "/settings")
        wait_for(lambda: driver.find_element(By.ID, "mqtt.host").get_attribute("value") == "127.0.0.1", 10, what="settings")
        for secret_field in ("wifi.password", "admin.password", "mqtt.password"):
            assert driver.find_element(By.ID, secret_field).get_attribute("value") == ""
        assert driver.find_element(By.ID, "wifi.password").get_attribute("placeholder") == "unchanged (set)"
        assert HOME_PASSWORD not in driver.page_source and ADMIN_PASSWORD not in driver.page_source
        screenshot(driver, "settings-page.png")
        _type(driver, "mqtt.prefix", "house")
        # The user's own effekttariff rule and price: a mistake first (refused, nothing saved).
        Select(driver.find_element(By.ID, "peaks.preset")).select_by_value("custom")
        _type(driver, "peaks.rule", "top=3 days hours=7-25")
        _type(driver, "peaks.prices", "4-10:52,11-3:70.50 excl")
        driver.find_element(By.ID, "save").click()
        wait_for(lambda: "hours: from-to" in _text(driver, "err-peaks.rule"), 10, what="the rule's mistake shown")
        assert _config(config_path)["peaks.preset"] == "max1"
        _type(driver, "peaks.rule", "top=3 days weekdays hours=7-20 months=11-3")
        driver.find_element(By.ID, "save").click()
        wait_for(lambda: "Saved" in _text(driver, "result-text"), 10, what="settings saved")
        wait_for(lambda: _config(config_path)["mqtt.prefix"] == "house", 5, what="prefix saved")
        assert _config(config_path)["peaks.rule"] == "top=3 days weekdays hours=7-20 months=11-3"
        saved = _config(config_path)
        assert saved["wifi.password"] == HOME_PASSWORD and saved["admin.password"] == ADMIN_PASSWORD  # kept
        wait_for(lambda: "restarting: settings saved" in fw.output(), 10, what=fw.output)
        wait_for(lambda: fw.output().count("status page and API on port") == 2, 20, what=fw.output)

        # The status page tells the rule in plain words and the fee as /api/peaks has it, in öre.
        def peaks_api():
            return json.loads(urllib.request.urlopen(base + "/api/peaks", timeout=5).read())

        wait_for(lambda: "fee" in peaks_api(), 20, what=lambda: "a fee in /api/peaks: %s" % peaks_api())
        api = peaks_api()
        driver.get(base + "/")  # the page asks for the peaks on load (and every minute)
        words = "the mean of your 3 highest hours on different days, weekdays between 07 and 20, November to March"
        wait_for(lambda: "fee so far" in _text(driver, "billed"), 20, what=lambda: _text(driver, "billed"))
        assert api["rule"] == words and words in _text(driver, "rule")
        fee = api["fee"]
        assert fee["vat"] is True and fee["currency"] == "SEK" and fee["sek"] == fee["ore"] / 100
        assert "fee so far {:,}.{:02d} kr incl. VAT".format(*divmod(fee["ore"], 100)) in _text(driver, "billed")
        screenshot(driver, "status-after-setup-fee.png")
        # A page on another site posting to the dongle (with the admin's credentials cached in
        # the browser): refused, config unchanged.
        before = open(config_path, "rb").read()
        evil = _serve_page(
            "<script>fetch('%s/api/settings',{method:'POST',mode:'no-cors',headers:{'Content-Type':"
            "'application/x-www-form-urlencoded'},body:'mqtt.prefix=pwned'}).then(function(){document.title='sent'})"
            ".catch(function(){document.title='sent'})</script>" % base
        )
        driver.get("http://127.0.0.1:%d/" % evil.server_port)
        wait_for(lambda: driver.title == "sent", 10, what="cross-site post sent")
        time.sleep(0.5)
        assert open(config_path, "rb").read() == before
        evil.shutdown()
        evil.server_close()
        assert not [line for line in fw.lines if HOME_PASSWORD in line or ADMIN_PASSWORD in line]
    finally:
        if driver is not None:
            driver.quit()
        fw.stop()
        meter.stop()


def _serve_page(html):
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)  # a browser's idle keep-alive blocks no one
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
