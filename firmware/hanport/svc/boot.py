# Boot: the config file read and checked (svc/boot.load_config), before any mode is chosen.
# Small on purpose: setup mode must not load the meter's decoder, normal mode not the setup
# portal, and the config schema is unloaded again once read. Imports jsonfmt and unload only.
from hanport.core.jsonfmt import dumps


def load_config(store, log):
    """(config, errors). A missing or invalid file never stops the boot: defaults are used
    (meter reading only) and the errors are reported; secrets are never logged. The schema is
    unloaded again: the settings page loads it when it is needed."""
    from hanport.core import config as schema
    from hanport.unload import forget

    try:
        return _load_config(schema, store, log)
    finally:
        forget(("hanport.core.config",))


def _load_config(schema, store, log):
    raw = store.load() if store is not None else None
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
