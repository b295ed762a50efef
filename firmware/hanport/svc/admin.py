# The admin side of the local web: the settings page's JSON and save, the support bundle, and
# the form helpers setup shares. Loaded per admin request (svc/site.py) and unloaded after, with
# the config schema it needs. Routes only: svc/web.py does the HTTP; the gate is checked before.
from hanport import VERSION
from hanport.core import config as schema
from hanport.core.jsonfmt import dumps
from hanport.core.lan.auth import same_origin
from hanport.core.lan.form import apply_form, decode_form
from hanport.core.lan.portal import SETTINGS_KEYS
from hanport.svc.web import json_reply


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


def support(app):
    """What to send when asking for help: the last raw telegrams with verdicts, counters,
    reset causes, the config without secrets. Admin only (it shows the network's name)."""
    out = {
        "firmware": VERSION,
        "device": app.hub.device_id,
        "status": app.diag(),
        "telegrams": app.meter.support_telegrams(),
        "energy_guard": app.hub.guard.status(),  # implausible registers not published (core/sanity.py)
        "config": schema.redacted(app.cfg),
    }
    if app.ports.boot_guard is not None:
        out["boot"] = app.ports.boot_guard.report()
    if app.ports.board is not None:
        out["board"] = app.ports.board
    return out


def settings(site, request):
    """GET /settings (the page), GET /api/settings (values, secrets only as set or not), POST
    /api/settings (validated whole, saved atomically, then the services restart)."""
    cfg = site.app.cfg
    if request.method == "GET":
        if request.path == "/settings":
            return site.web.static("config.html", request)
        out = form_values(cfg, SETTINGS_KEYS)
        out["mode"] = "settings"
        out["device"] = site.app.hub.device_id
        return json_reply(200, out)
    if request.method != "POST" or request.path != "/api/settings":
        return json_reply(405, {"error": "GET or POST"})
    if site.config_store is None:
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
        site.config_store.save_text(dumps(schema.to_file(new_cfg)))
    except (OSError, ValueError) as e:
        return json_reply(500, {"error": "could not save: %s" % e})
    site.app.ports.log("config: saved from the settings page; restarting to apply")
    site.app.request_restart()
    return json_reply(200, {"saved": True, "restart": True})
