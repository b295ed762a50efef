# Host main: `make run` runs this under the MicroPython unix port (or CPython). Reads the meter
# from a tty/pty or a capture, loads CONFIG, and runs the same services as the ESP32.
# Usage: main.py --serial PATH | --replay FILE [--config FILE] [--data DIR] [--web-port N] [--quiet]
#        [--setup --config FILE --web-port N [--dns-port N] [--scan-file FILE]] [--www DIR]
#        [--line-window-ms N] (time per serial line setting while the meter's format is searched)
import sys

_FLAGS = ("quiet", "setup")


def _args(argv):
    opts = {
        "serial": None,
        "replay": None,
        "config": None,
        "data": ".",
        "quiet": False,
        "setup": False,
        "heap-report": "0",
        "web-port": "0",
        "dns-port": "0",
        "scan-file": None,
        "www": "firmware/www",
        "line-window-ms": "0",
    }
    i = 0
    while i < len(argv):
        key = argv[i].lstrip("-")
        if key in _FLAGS:
            opts[key] = True
            i += 1
            continue
        if key not in opts or i + 1 >= len(argv):
            raise SystemExit("usage: main.py --serial PATH | --replay FILE [--config FILE] [--data DIR] [--quiet]")
        opts[key] = argv[i + 1]
        i += 2
    if not opts["serial"] and not opts["replay"]:
        raise SystemExit("give --serial PATH (a tty or pty) or --replay FILE")
    if opts["setup"] and (not opts["config"] or opts["web-port"] == "0"):
        raise SystemExit("setup mode needs --config FILE (where the form saves) and --web-port N")
    return opts


def _log(text):
    print(text)
    try:
        sys.stdout.flush()
    except AttributeError:
        pass


def _rand_below(n):
    import random

    return random.getrandbits(30) % n if n > 0 else 0


def _utc_now():
    import time

    return int(time.time())  # the host's clock is NTP-synced by its OS


def _umqtt():
    try:
        from umqtt import simple
    except ImportError:
        return None
    return simple


_SETUP_ONLY = ("hanport.svc.setup", "hanport.host.radio", "hanport.svc.dns", "hanport.core.dns")


def _setup(opts, store, cfg_ok, cfg, safe_mode=False):
    import asyncio

    from hanport.core.portal import setup_reason
    from hanport.host.radio import HostRadio
    from hanport.svc.dns import DnsServer
    from hanport.svc.setup import SetupSite, run_setup

    port = int(opts["web-port"])
    # On the host, asking for setup is the button: the form opens without the admin password.
    reason = "safe_mode" if safe_mode else setup_reason(cfg_ok, cfg, True, None)
    site = SetupSite(
        cfg, store, HostRadio(opts["scan-file"]), _log, reason, cfg["device.id"] or "hanport-host", "127.0.0.1:%d" % port
    )
    dns_port = int(opts["dns-port"])
    dns = DnsServer("127.0.0.1", dns_port, "127.0.0.1") if dns_port else None
    _log("setup: open http://127.0.0.1:%d/ in a browser" % port)
    asyncio.run(run_setup(site, port, opts["www"], dns, _log))


def main(argv):
    from hanport.svc.boot import load_config
    from hanport.svc.store import JsonStore

    opts = _args(argv)
    if opts["serial"]:
        from hanport.host.serial import TtySource

        source = TtySource(opts["serial"])
    else:
        from hanport.host.serial import ReplaySource

        source = ReplaySource(opts["replay"])
    store = JsonStore(opts["config"]) if opts["config"] else None
    import gc

    mem_free = getattr(gc, "mem_free", None)
    _log(
        "hanport %s on %s, meter: %s" % (__import__("hanport").VERSION, sys.implementation.name, opts["serial"] or opts["replay"])
    )
    from hanport.svc.bootguard import BootGuard
    from hanport.ticks import ticks_ms

    guard = BootGuard(JsonStore(opts["data"] + "/boot.json", 1024), "host_start", ticks_ms)
    setup = opts["setup"]
    if guard.safe_mode:
        _log(
            "boot: the last 3 runs ended within 60 s: safe mode (setup portal)"
            if opts["config"] and opts["web-port"] != "0"
            else "boot: the last 3 runs ended within 60 s"
        )
        setup = setup or (opts["config"] and opts["web-port"] != "0")
    while True:  # setup -> normal; normal -> normal again after the settings page saved
        gc.collect()  # what the last mode left behind, before the big buffers are taken
        cfg, errors = load_config(store, _log)
        if setup:
            _setup(opts, store, store is not None and store.load() is not None and not errors, cfg, guard.safe_mode)
            from hanport.unload import forget

            forget(_SETUP_ONLY)  # the ESP32 resets instead; here the heap gets the code back
            setup = False
            continue
        from hanport.netport import NetPort
        from hanport.svc.app import App, Ports

        ports = Ports(
            source,
            _log,
            _rand_below,
            net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
            umqtt=_umqtt(),
            hourly_store=JsonStore(opts["data"] + "/hourly.json", 16384),
            peaks_store=JsonStore(opts["data"] + "/peaks.json", 8192),
            utc_now=_utc_now,
            mem_free=mem_free,
            print_readings=not opts["quiet"],
            heap_report_s=int(opts["heap-report"]),
            web_port=int(opts["web-port"]),
            www_dir=opts["www"],
            config_store=store,
            boot_guard=guard,
            line_store=JsonStore(opts["data"] + "/line.json", 512),
            line_window_ms=int(opts["line-window-ms"]),
        )
        if cfg["mqtt.host"] and ports.umqtt is None:
            _log("mqtt: umqtt.simple is not installed (make run installs it); MQTT disabled")
        if App(cfg, ports, cfg["device.id"] or "hanport-host").run() != "restart":
            break
        _log("restarting with the saved settings")


if __name__ == "__main__":
    main(sys.argv[1:])
