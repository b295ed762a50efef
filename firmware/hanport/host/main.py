# Host main: `make run` runs this under the MicroPython unix port (or CPython). Reads the meter
# from a tty/pty or a capture, loads CONFIG, and runs the same services as the ESP32.
# Usage: main.py --serial PATH | --replay FILE [--config FILE] [--data DIR] [--web-port N] [--quiet]
import sys


def _args(argv):
    opts = {"serial": None, "replay": None, "config": None, "data": ".", "quiet": False, "heap-report": "0", "web-port": "0"}
    i = 0
    while i < len(argv):
        key = argv[i].lstrip("-")
        if key == "quiet":
            opts["quiet"] = True
            i += 1
            continue
        if key not in opts or i + 1 >= len(argv):
            raise SystemExit("usage: main.py --serial PATH | --replay FILE [--config FILE] [--data DIR] [--quiet]")
        opts[key] = argv[i + 1]
        i += 2
    if not opts["serial"] and not opts["replay"]:
        raise SystemExit("give --serial PATH (a tty or pty) or --replay FILE")
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


def _umqtt():
    try:
        from umqtt import simple
    except ImportError:
        return None
    return simple


def main(argv):
    from hanport.netport import NetPort
    from hanport.svc.app import App, Ports, load_config
    from hanport.svc.store import JsonStore

    opts = _args(argv)
    if opts["serial"]:
        from hanport.host.serial import TtySource

        source = TtySource(opts["serial"])
    else:
        from hanport.host.serial import ReplaySource

        source = ReplaySource(opts["replay"])
    store = JsonStore(opts["config"]) if opts["config"] else None
    cfg, _ = load_config(store, _log)
    try:
        import gc

        mem_free = gc.mem_free
    except (ImportError, AttributeError):
        mem_free = None
    ports = Ports(
        source,
        _log,
        _rand_below,
        net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
        umqtt=_umqtt(),
        hourly_store=JsonStore(opts["data"] + "/hourly.json", 16384),
        mem_free=mem_free,
        print_readings=not opts["quiet"],
        heap_report_s=int(opts["heap-report"]),
        web_port=int(opts["web-port"]),
    )
    if cfg["mqtt.host"] and ports.umqtt is None:
        _log("mqtt: umqtt.simple is not installed (make run installs it); MQTT disabled")
    device_id = cfg["device.id"] or "hanport-host"
    _log(
        "hanport %s on %s, meter: %s" % (__import__("hanport").VERSION, sys.implementation.name, opts["serial"] or opts["replay"])
    )
    App(cfg, ports, device_id).run()


if __name__ == "__main__":
    main(sys.argv[1:])
