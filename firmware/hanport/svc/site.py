# Normal-mode web site: the status page, the read-only API on the LAN (HomeWizard-compatible
# /api and /api/v1/data, /api/v1/telegram; hanport's /api/reading, /api/status, /api/history)
# and the settings page behind the admin password. Routes only; svc/web.py does the HTTP.
from hanport import VERSION
from hanport.core import config as schema
from hanport.core.auth import is_admin, same_origin
from hanport.core.form import apply_form, decode_form
from hanport.core.homewizard import data_v1
from hanport.core.jsonfmt import dumps
from hanport.core.portal import SETTINGS_KEYS
from hanport.svc.web import json_reply
from hanport.ticks import ticks_add, ticks_diff, ticks_ms

_LOCK_AFTER = 5  # wrong admin passwords in a row ...
_LOCK_MS = 30000  # ... lock the settings for this long (guessing costs 6 s a try)
_ASK_PASSWORD = {"WWW-Authenticate": 'Basic realm="hanport settings", charset="UTF-8"'}


def form_values(cfg, keys):
    """What a form may show: every value except secrets, and for secrets only whether set."""
    values = {}
    secrets_set = {}
    for key in keys:
        if key in schema.SECRET_KEYS:
            secrets_set[key] = bool(cfg[key])
        else:
            values[key] = cfg[key]
    return {"values": values, "secrets_set": secrets_set}


class AdminGate:
    """Admin password check with a lock-out after repeated failures."""

    def __init__(self):
        self.failures = 0
        self.locked_until = None

    def check(self, request, admin_password):
        """None when allowed, else the reply to send."""
        if not admin_password:
            return json_reply(403, {"error": "no admin password is set: hold the button at boot to open setup"})
        if self.locked_until is not None:
            if ticks_diff(self.locked_until, ticks_ms()) > 0:
                return json_reply(429, {"error": "too many wrong passwords: wait 30 s"})
            self.locked_until = None
        if is_admin(request.headers, admin_password):
            self.failures = 0
            return None
        if "authorization" in request.headers:
            self.failures += 1
            if self.failures >= _LOCK_AFTER:
                self.failures = 0
                self.locked_until = ticks_add(ticks_ms(), _LOCK_MS)
        return json_reply(401, {"error": "admin password required"}, _ASK_PASSWORD)


def post_form(request):
    """(form dict, None) or (None, error reply) for a state-changing form POST."""
    if not same_origin(request.headers):
        return None, json_reply(403, {"error": "cross-origin request refused"})
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None, json_reply(415, {"error": "send the form as application/x-www-form-urlencoded"})
    try:
        return decode_form(request.body), None
    except ValueError as e:
        return None, json_reply(400, {"error": str(e)})


class NormalSite:
    def __init__(self, app, config_store):
        self.app = app
        self.config_store = config_store  # JsonStore of the config file, or None (read-only)
        self.gate = AdminGate()
        self.web = None  # set by the app once the server exists

    def route(self, request):
        path = request.path
        if path == "/settings" or path == "/api/settings":
            return self._settings(request)
        if path == "/api/support":
            refused = self.gate.check(request, self.app.cfg["admin.password"])
            return refused if refused is not None else json_reply(200, self.support())
        if request.method != "GET":
            return json_reply(405, {"error": "read-only API: GET only"})
        app = self.app
        hub = app.hub
        if path == "/":
            return self.web.static("status.html", request)
        if path == "/style.css":
            return self.web.static("style.css", request)
        if path == "/api/peaks":
            return json_reply(200, app.peaks.status())
        if path == "/api/history":
            return json_reply(200, app.history.series())
        if path == "/api":
            info = {
                "product_type": "HWE-P1",
                "product_name": "hanport P1 meter",
                "serial": hub.device_id,
                "firmware_version": VERSION,
                "api_version": "v1",
            }
            return json_reply(200, info)
        if path == "/api/v1/data":
            wifi = app.ports.wifi
            data = data_v1(
                hub.reading_dict if hub.is_fresh(60000) else None,
                wifi.ssid_name() if wifi else None,
                wifi.rssi() if wifi else None,
            )
            return json_reply(200, data)
        if path == "/api/v1/telegram":
            raw = app.meter.last_telegram_text()
            if raw is None:
                return 503, "text/plain", b"no valid telegram yet\r\n", None
            return 200, "text/plain", raw, None
        if path == "/api/reading":
            if not hub.is_fresh(60000):
                return json_reply(503, {"error": "no fresh reading", "meter": hub.update_meter_state()})
            out = dict(hub.reading_dict)
            out["age_s"] = hub.telegram_age_ms() // 1000
            return json_reply(200, out)
        if path == "/api/status":
            status = app.diag()
            status["web"] = dict(self.web.counters)
            if self.web.last_error:
                status["web"]["last_error"] = self.web.last_error
            return json_reply(200, status)
        return json_reply(404, {"error": "not found"})

    def support(self):
        """What to send when asking for help: the last raw telegrams with verdicts, counters,
        reset causes, the config without secrets. Admin only (it shows the network's name)."""
        app = self.app
        out = {
            "firmware": VERSION,
            "device": app.hub.device_id,
            "status": app.diag(),
            "telegrams": app.meter.support_telegrams(),
            "config": schema.redacted(app.cfg),
        }
        if app.ports.boot_guard is not None:
            out["boot"] = app.ports.boot_guard.report()
        if app.ports.board is not None:
            out["board"] = app.ports.board
        return out

    def _settings(self, request):
        cfg = self.app.cfg
        refused = self.gate.check(request, cfg["admin.password"])
        if refused is not None:
            return refused
        if request.method == "GET":
            if request.path == "/settings":
                return self.web.static("config.html", request)
            out = form_values(cfg, SETTINGS_KEYS)
            out["mode"] = "settings"
            out["device"] = self.app.hub.device_id
            return json_reply(200, out)
        if request.method != "POST" or request.path != "/api/settings":
            return json_reply(405, {"error": "GET or POST"})
        if self.config_store is None:
            return json_reply(503, {"error": "this dongle was started without a config file"})
        form, refused = post_form(request)
        if refused is not None:
            return refused
        new_cfg, errors = apply_form(cfg, form, SETTINGS_KEYS)
        if errors:
            return json_reply(400, {"errors": errors})
        if new_cfg["admin.password"] and len(new_cfg["admin.password"]) < 8:
            return json_reply(400, {"errors": {"admin.password": "at least 8 characters"}})
        try:
            self.config_store.save_text(dumps(schema.to_file(new_cfg)))
        except (OSError, ValueError) as e:
            return json_reply(500, {"error": "could not save: %s" % e})
        self.app.ports.log("config: saved from the settings page; restarting to apply")
        self.app.request_restart()
        return json_reply(200, {"saved": True, "restart": True})
