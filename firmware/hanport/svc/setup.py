# Setup mode: the captive portal on the dongle's own network. Answers the OS probe URLs with a
# redirect to the setup page, lists nearby networks, validates and saves the form atomically,
# then tries the home network while the setup network stays up and reports the result; only
# after that does run() return "normal". Radio, store and clock come from the shell.
import asyncio

from hanport.core import config as schema
from hanport.core.jsonfmt import dumps
from hanport.core.lan.form import apply_form
from hanport.core.lan.portal import SETTINGS_KEYS, SETUP_KEYS, ap_password, is_probe, setup_errors
from hanport.svc.admin import form_values, post_form
from hanport.svc.gate import AdminGate
from hanport.svc.web import WebServer, json_reply
from hanport.ticks import sleep_ms, ticks_diff, ticks_ms

_JOIN_TIMEOUT_MS = 20000
_FINISH_AFTER_MS = 90000  # after a successful join: time to read the result page, then switch
_SCAN_CACHE_MS = 15000
_MAX_NETWORKS = 20
_RETRY_HOME_MS = 60000  # wifi_failed: the configured home network is tried again this often
_REASONS = {
    "no_config": "This dongle has no settings yet.",
    "button": "Setup was opened with the button.",
    "wifi_failed": "The home network could not be reached for 5 minutes; the dongle keeps trying it.",
    "safe_mode": "Safe mode: hanport restarted 3 times without starting up. Check the settings (or use the "
    "REPL over USB); it tries normal mode again after saving, or by itself in 15 minutes.",
}
_SAFE_MODE_MS = 900000


class SetupSite:
    def __init__(self, cfg, store, radio, log, reason, device_id, portal_host, update_port=None, update_state=None):
        self.cfg = cfg  # current config (defaults when there is none)
        self.store = store
        self.radio = radio  # scan() -> [(ssid, rssi, secure)], join(ssid, pw), join_state() -> (state, detail)
        self.log = log
        self.reason = reason
        self.device_id = device_id
        self.portal_host = portal_host  # e.g. 192.168.4.1: requests for other hosts are redirected
        # wifi_failed/safe_mode: the config holds a home network and possibly MQTT secrets;
        # whoever joins the setup network must then also know the admin password (button: not).
        self.gate = AdminGate() if reason in ("wifi_failed", "safe_mode") and cfg["admin.password"] else None
        self.started = ticks_ms()
        self.state = "idle"  # idle, joining, connected, failed
        self.detail = ""
        self.done = False
        self.join_started = ticks_ms()
        self.retrying_home = False  # the current attempt is the automatic retry, not the user's
        self.connected_at = 0
        self.networks = []
        self.scanned_at = None
        self.web = None
        self.update_port = update_port  # updates from the portal: the only web page of a board without PSRAM
        self.update_state = update_state or {}  # the pointer as this boot found it (appslot.py)

    def _redirect(self):
        url = "http://%s/" % self.portal_host
        return 302, "text/html; charset=utf-8", ("<a href='%s'>hanport setup</a>" % url).encode(), {"Location": url}

    def route(self, request):
        path = request.path
        host = request.headers.get("host", self.portal_host)
        if is_probe(path) or host != self.portal_host:
            return self._redirect()  # a phone checking "am I online?" gets the setup page instead
        if path == "/" or path == "/setup":
            return self.web.static("config.html", request)
        if path == "/style.css":
            return self.web.static("style.css", request)
        if path == "/api":
            return json_reply(200, {"product_name": "hanport P1 meter", "serial": self.device_id, "mode": "setup"})
        if path == "/api/update":
            from hanport import VERSION

            out = {"version": VERSION, "state": self.update_state.get("state", "good")}
            if self.update_state.get("failed"):
                out["failed"] = self.update_state["failed"]
            return json_reply(200, out)
        if self.gate is not None and path.startswith("/api/setup"):
            refused = self.gate.check(request, self.cfg["admin.password"])
            if refused is not None:
                return refused
        if path == "/api/setup" and request.method == "GET":
            out = form_values(self.cfg, SETTINGS_KEYS)  # the advanced ones too (boards without
            out["mode"] = "setup"  # a web server in normal mode have no other settings page)
            out["device"] = self.device_id
            out["reason"] = _REASONS.get(self.reason, "")
            return json_reply(200, out)
        if path == "/api/setup/networks" and request.method == "GET":
            return json_reply(200, self._scan())
        if path == "/api/setup/result" and request.method == "GET":
            return json_reply(200, {"state": self.state, "detail": self.detail})
        if request.method != "POST":
            return json_reply(404 if request.method == "GET" else 405, {"error": "not found"})
        form, refused = post_form(request)
        if refused is not None:
            return refused
        if path == "/api/setup":
            return self._save(form)
        if path == "/api/setup/finish":
            if self.state != "connected":
                return json_reply(409, {"error": "not connected to the home network yet"})
            self.done = True
            return json_reply(200, {"state": "switching"})
        return json_reply(404, {"error": "not found"})

    async def receive(self, request, reader):
        """POST /api/update (svc/updater.py): as from the settings page; the admin password is asked
        where setup asks for it (after a Wi-Fi failure). A verified bundle ends setup: restart."""
        from hanport import VERSION
        from hanport.svc import updater
        from hanport.unload import forget

        try:
            refused = self.gate.check(request, self.cfg["admin.password"]) if self.gate is not None else None
            reply, header = await updater.serve(request, reader, refused, self.update_port, self.log, VERSION, [])
            if header is not None:
                self.done = True
            return reply
        finally:
            forget(updater.MODULES)

    def _scan(self):
        now = ticks_ms()
        if self.scanned_at is None or ticks_diff(now, self.scanned_at) > _SCAN_CACHE_MS:
            best = {}
            try:
                found = self.radio.scan()
            except OSError:
                found = []
            for ssid, rssi, secure in found:
                if ssid and (ssid not in best or best[ssid][0] < rssi):
                    best[ssid] = (rssi, secure)
            nets = [{"ssid": s, "rssi": best[s][0], "secure": best[s][1]} for s in best]
            nets.sort(key=lambda n: -n["rssi"])
            self.networks = nets[:_MAX_NETWORKS]
            self.scanned_at = now
        return self.networks

    def _save(self, form):
        if self.state == "joining" and not self.retrying_home:
            return json_reply(409, {"error": "still trying the last network: wait for the result"})
        # The advanced settings are optional here: applied when the form has them.
        shown = SETUP_KEYS + tuple(k for k in SETTINGS_KEYS if k in form and k not in SETUP_KEYS)
        new_cfg, errors = apply_form(self.cfg, form, shown)
        # What setup requires on top, reported together with the other field errors.
        preview = {
            "wifi.ssid": (form.get("wifi.ssid") or "").strip(),
            "admin.password": form.get("admin.password") or self.cfg["admin.password"],
        }
        required = setup_errors(preview)
        for key in required:
            if key not in errors:
                errors[key] = required[key]
        if errors:
            return json_reply(400, {"errors": errors})
        try:
            self.store.save_text(dumps(schema.to_file(new_cfg)))
        except (OSError, ValueError) as e:
            return json_reply(500, {"error": "could not save: %s" % e})
        self.cfg = new_cfg
        self.log("setup: settings saved; trying %s" % new_cfg["wifi.ssid"])
        self._join(False)
        return json_reply(202, {"state": "joining"})

    def _join(self, retrying_home):
        self.radio.join(self.cfg["wifi.ssid"], self.cfg["wifi.password"])
        self.state = "joining"
        self.detail = self.cfg["wifi.ssid"]
        self.join_started = ticks_ms()
        self.retrying_home = retrying_home

    def watch(self):
        """Called every 250 ms: follows the join attempt. True when setup is finished."""
        if self.state == "idle" and self.reason == "wifi_failed":
            if ticks_diff(ticks_ms(), self.join_started) > _RETRY_HOME_MS:
                self._join(True)  # the setup network stays open while the home network is retried
        if self.state == "joining" and self.retrying_home:
            state, detail = self.radio.join_state()
            if state == "connected":
                self.log("setup: home network %s is back, address %s" % (self.cfg["wifi.ssid"], detail))
                self.done = True
            elif state == "failed" or ticks_diff(ticks_ms(), self.join_started) > _JOIN_TIMEOUT_MS:
                self.state = "idle"
                self.join_started = ticks_ms()
            return self.done
        if self.state == "joining":
            state, detail = self.radio.join_state()
            if state == "connected":
                self.state, self.detail = "connected", detail
                self.connected_at = ticks_ms()
                self.log("setup: joined %s, address %s" % (self.cfg["wifi.ssid"], detail))
            elif state == "failed" or ticks_diff(ticks_ms(), self.join_started) > _JOIN_TIMEOUT_MS:
                self.state = "failed"
                self.detail = detail if state == "failed" else "no answer from the network within 20 s"
                self.log("setup: could not join %s: %s" % (self.cfg["wifi.ssid"], self.detail))
        if self.state == "connected" and ticks_diff(ticks_ms(), self.connected_at) > _FINISH_AFTER_MS:
            self.done = True
        if self.reason == "safe_mode" and self.state == "idle" and ticks_diff(ticks_ms(), self.started) > _SAFE_MODE_MS:
            self.done = True  # nobody came: try normal mode again
        return self.done


async def run_setup(site, web_port, www_dir, dns=None, log=print, watchdog=None):
    """Serve the portal (and its DNS) until the user has joined the home network and finished.
    Returns "normal". watchdog: fed while the portal loop runs (a started WDT cannot stop)."""
    web = site.web = WebServer(site, web_port, www_dir)
    tasks = [asyncio.create_task(web.serve())]
    if dns is not None:
        tasks.append(asyncio.create_task(dns.serve()))
    log("setup: portal on port %d%s" % (web_port, "" if dns is None else ", DNS on port %d" % dns.port))
    while not site.watch():
        if watchdog is not None:
            watchdog.feed()
        await sleep_ms(250)
    await sleep_ms(500)  # the finish reply goes out first
    for task in tasks:
        task.cancel()
    web.close()
    if dns is not None:
        dns.close()
    await sleep_ms(100)
    log("setup: done, switching to normal mode")
    return "normal"


def setup_password(store, urandom):
    """The device's setup-network password: kept in its own file (the deploy tool may write it
    first, to print it); made from 32 random bytes on the first boot without one."""
    kept = store.load()
    if isinstance(kept, dict):
        pw = kept.get("ap_password")
        if isinstance(pw, str) and 8 <= len(pw) <= 63:
            return pw
    pw = ap_password(urandom(32))
    store.save_text(dumps({"ap_password": pw}))
    return pw
