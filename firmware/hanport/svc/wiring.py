# Builds the running dongle's services once, from the config and the shell's ports: meter, hub,
# hourly ring, effekttariff, MQTT, HTTP push, the power graph and the mDNS responder. Run by
# App() and forgotten after (svc/app.py keeps only what runs): nothing here may outlive the call,
# so callbacks are App methods, never closures. Imports the services; never machine or network.
from hanport import VERSION
from hanport.svc.hourly import KEEP_FOR_PAGE, HourlyRing
from hanport.svc.hub import Hub
from hanport.svc.meter import MeterService


def wire(app, cfg, ports, device_id):
    app.hub = hub = Hub(device_id, VERSION)
    hub.log = ports.log
    app.meter = MeterService(
        ports.source,
        hub,
        decoder_cap=ports.board["telegram_cap"] if ports.board else None,
        line_store=ports.line_store,
        line_window_ms=ports.line_window_ms,
        log=ports.log,
        key=cfg["meter.key"],
        kamstrup_wh=cfg["meter.kamstrup_energy_wh"],
        crc=cfg["meter.crc"],
        keep_copies=bool(ports.web_port),  # shown only by the web server's API and support bundle
    )
    channels = []
    if cfg["mqtt.host"] and ports.umqtt is not None:
        channels.append("mqtt")
    if cfg["http.url"]:
        channels.append("http")
    app.hourly = HourlyRing(ports.hourly_store, tuple(channels), KEEP_FOR_PAGE if ports.web_port else 0)
    hub.listeners.append(app.hourly.on_telegram)
    if ports.web_port:  # the status page's power graph, and the responder that advertises the page
        from hanport.svc.history import PowerHistory

        app.history = PowerHistory()
        hub.listeners.append(app.history.on_telegram)
        app.mdns = _mdns(app, cfg, ports)
    from hanport.svc.peaks import PeakService

    app.peaks = PeakService(cfg["peaks.preset"], ports.peaks_store, ports.log, ports.utc_now, *peak_rules(cfg))
    hub.listeners.append(app.peaks.on_telegram)
    if ports.print_readings == "json":
        hub.listeners.append(app.print_json)
    elif ports.print_readings:
        hub.listeners.append(app.print_line)
    if "mqtt" in channels:
        try:
            app.mqtt = _mqtt(app, cfg, ports)
        except (OSError, ValueError) as e:  # unreadable or invalid CA file: report, keep running
            ports.log("mqtt: disabled, TLS set-up failed: %s: %s" % (type(e).__name__, e))
    if "http" in channels:
        from hanport.svc.http_push import HttpPush

        app.http = HttpPush(cfg, hub, app.http_port, ports.rand_below, app.hourly, ports.log)


def _mqtt(app, cfg, ports):
    from hanport.svc.mqtt import MqttService

    ctx = None
    if cfg["mqtt.tls"]:
        from hanport.tls import tls_context

        ctx = tls_context(cfg["mqtt.ca"] or None)
    port = ports.net_port(ctx, cfg["mqtt.host"], 5)
    ports.umqtt.socket = port  # umqtt.simple resolves and connects through our port (timeouts, TLS)
    app.mqtt_port = port
    return MqttService(cfg, app.hub, app.mqtt_client, ports.rand_below, app.hourly, app.diag, ports.log, app.peaks)


def _mdns(app, cfg, ports):
    """The DNS-SD responder, where the web server it advertises runs (mdns.enabled)."""
    if not (cfg["mdns.enabled"] and ports.mdns_port and ports.device_ip is not None):
        return None
    from hanport.core.lan.homewizard import PRODUCT_NAME
    from hanport.svc.mdns import MdnsService

    host = cfg["mdns.host"] or "hanport-" + app.serial[-6:]
    # TXT keys Home Assistant's homewizard zeroconf flow requires (it aborts when one is
    # missing or path is not /api/v1), per api-documentation.homewizard.com "Discovery".
    txt = (
        ("api_enabled", "1"),
        ("path", "/api/v1"),
        ("serial", app.serial),
        ("product_name", PRODUCT_NAME),
        ("product_type", "HWE-P1"),
    )
    return MdnsService(host, ports.web_port, txt, ports.device_ip, ports.mdns_port, ports.log)


def peak_rules(cfg):
    """(schedule, with VAT, plain words) of the configured effekttariff. A preset brings its own
    words; the rule parser (loaded for a custom rule or prices only) is forgotten after."""
    from hanport.core.tariff.billing import schedule_for
    from hanport.unload import forget

    preset = cfg["peaks.preset"]
    schedule = schedule_for(preset, cfg["peaks.rule"], cfg["peaks.prices"])
    if preset == "custom":
        from hanport.core.tariff.rulewords import describe

        words = describe(schedule[-1][1])
    else:
        from hanport.core.tariff.presets import load

        words = load(preset)[1][-1][3]
    forget(("hanport.core.tariff.rulewords", "hanport.core.tariff.presets"))
    return schedule, cfg["peaks.fee_vat"], words
