# The boot sequence both shells run: config read and checked, then crash-loop guard -> safe mode,
# missing config or button -> setup, else normal mode; home network lost -> setup; then restart.
# Small on purpose (setup must not load the decoder). The shell (ESP32 or host) does the wiring.
# Imports core/config (unloaded after reading), core/lan/portal, jsonfmt and unload only.
from hanport.core.jsonfmt import dumps


def run(shell):
    """One boot of the device, until the shell should restart it (the ESP32 resets, the host runs
    the next boot in-process). The shell provides: log(text), config_store (or None), guard
    (svc/bootguard.py), setup_possible, has_radio, button_held(), setup(reason, cfg) (the portal
    until the user finished), normal(cfg) -> "restart" or "wifi_failed" (svc/app.py running)."""
    from hanport.core.lan.portal import setup_reason

    log = shell.log
    store = shell.config_store
    raw = store.load() if store is not None else None  # read once: the config, and whether there is one
    cfg, errors = config_from(raw, log)
    if shell.guard.safe_mode:
        log("boot: the last 3 runs ended within 60 s: safe mode%s" % (" (setup portal)" if shell.setup_possible else ""))
        shell.guard.safe_mode = False  # served once: the next boot tries normal mode again
        if shell.setup_possible:
            shell.setup("safe_mode", cfg)
            return "restart"
    cfg_ok = raw is not None and not errors
    reason = setup_reason(cfg_ok, cfg, shell.button_held(), None) if shell.setup_possible else None
    if reason == "no_config" and not shell.has_radio:
        reason = None  # a host without a radio runs with defaults until it is given a config
    if reason is not None:
        shell.setup(reason, cfg)
        return "restart"
    if shell.normal(cfg) == "wifi_failed" and shell.setup_possible:
        shell.setup("wifi_failed", cfg)
    return "restart"


def load_config(store, log):
    """(config, errors). A missing or invalid file never stops the boot: defaults are used
    (meter reading only) and the errors are reported; secrets are never logged. The schema is
    unloaded again: the settings page loads it when it is needed."""
    return config_from(store.load() if store is not None else None, log)


def config_from(raw, log):
    """load_config() of the file's contents as read (None: no file, or not JSON)."""
    from hanport.core import config as schema
    from hanport.unload import forget

    try:
        return _load_config(schema, raw, log)
    finally:
        forget(("hanport.core.config",))


def _load_config(schema, raw, log):
    if raw is None:
        log("config: none found, running with defaults (no MQTT, no HTTP push)")
        return schema.defaults(), {}
    cfg, errors = schema.validate(raw)
    if errors:
        for key in sorted(errors):
            log("config: %s: %s" % (key, errors[key]))
        log("config: invalid, running with defaults until it is fixed")
        return schema.defaults(), errors
    log("config: " + dumps(schema.redacted(cfg)))
    return cfg, {}
