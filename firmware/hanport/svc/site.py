# Normal-mode web site: the status page, the read-only API on the LAN (HomeWizard-compatible
# /api and /api/v1/data, /api/v1/telegram; hanport's /api/reading, /api/status, /api/history,
# /api/hours, /api/peaks).
# The settings page and support bundle (svc/admin.py) are loaded per request and unloaded after.
# Routes only; svc/web.py does the HTTP.
from hanport import VERSION
from hanport.core.lan.homewizard import PRODUCT_NAME, data_v1
from hanport.svc.gate import AdminGate
from hanport.svc.web import json_reply

# What an admin request loads (~16 KB of heap on 32 bits with the config schema) and drops again.
ADMIN_MODULES = (
    "hanport.svc.admin",
    "hanport.core.config",
    "hanport.core.lan.form",
    "hanport.core.lan.portal",
    "hanport.core.lan.auth",
)


class NormalSite:
    def __init__(self, app, config_store):
        self.app = app
        self.config_store = config_store  # JsonStore of the config file, or None (read-only)
        self.gate = AdminGate()
        self.web = None  # set by the app once the server exists

    async def receive(self, request, reader):
        """POST /api/update, its body streamed by svc/web.py: svc/updater.py, unloaded after."""
        from hanport.svc import updater
        from hanport.unload import forget

        try:
            return await updater.from_settings(self, request, reader)
        finally:
            forget(updater.MODULES + ("hanport.core.lan.auth",))  # the gate loads auth per check

    def route(self, request):
        path = request.path
        if path == "/settings" or path == "/api/settings" or path == "/api/support":
            refused = self.gate.check(request, self.app.cfg["admin.password"])
            if refused is not None:
                return refused
            from hanport.svc import admin
            from hanport.unload import forget

            try:
                if path == "/api/support":
                    return json_reply(200, admin.support(self.app))
                return admin.settings(self, request)
            finally:
                forget(ADMIN_MODULES)
        if path == "/api/v1/identify" and request.method == "PUT":
            # HomeWizard v1: PUT /api/v1/identify -> {"identify": "ok"}, the LED blinks a few
            # seconds (api-documentation.homewizard.com, v1 "Identify"; Home Assistant's button).
            identify = self.app.ports.identify
            if identify is not None:
                identify()
            return json_reply(200, {"identify": "ok"})
        if path == "/api/v1/system" and request.method in ("GET", "PUT"):
            # HomeWizard v1 "System": Home Assistant polls it with /api/v1/data and a non-200 fails
            # the whole update. There is no cloud to switch on: a PUT changes nothing.
            return json_reply(200, {"cloud_enabled": False})
        if request.method != "GET":
            return json_reply(405, {"error": "read-only API: GET only"})
        app = self.app
        hub = app.hub
        if path == "/":
            return self.web.static("status.html", request)
        if path == "/style.css":
            return self.web.static("style.css", request)
        if path == "/api/update":
            return json_reply(200, app.update_report())
        if path == "/api/peaks":
            return json_reply(200, app.peaks.status())
        if path == "/api/history":
            return json_reply(200, app.history.series())
        if path == "/api/hours":
            from hanport.svc.hours import FIELDS, table

            latest = hub.reading if hub.is_fresh(60000) else None
            return json_reply(200, {"fields": FIELDS, "hours": table(app.hourly.rows, latest)})
        if path == "/api":
            info = {
                "product_type": "HWE-P1",
                "product_name": PRODUCT_NAME,
                "serial": app.serial,  # the MAC's 12 hex digits: Home Assistant keys the device on it
                "device_id": hub.device_id,  # hanport's own name (MQTT topics, the status page)
                "firmware_version": VERSION,
                # python-homewizard-energy (Home Assistant's client) refuses any other version:
                # HomeWizardEnergy.device() raises UnsupportedError unless api_version == "v1"
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
            status["fuse_a"] = app.cfg["meter.fuse_a"]  # the page's per-phase bars (0: not given)
            status["web"] = dict(self.web.counters)
            if self.web.last_error:
                status["web"]["last_error"] = self.web.last_error
            return json_reply(200, status)
        return json_reply(404, {"error": "not found: " + path[:64]})
