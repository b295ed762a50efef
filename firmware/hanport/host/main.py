# Host main: `make run` runs this under the MicroPython unix port (or CPython). Reads the meter
# from a tty/pty or a capture, loads CONFIG, and runs the same services as the ESP32.
# Usage: main.py --serial PATH | --replay FILE [options]; the options are in _USAGE below.
import sys

_USAGE = """usage: main.py --serial PATH | --replay FILE [--config FILE] [--data DIR] [--quiet | --verbose]
  [--web-port N] [--www DIR]  status page, API and settings
  [--setup --config FILE --web-port N [--dns-port N] [--scan-file FILE]]  the setup portal first
  [--line-window-ms N]  time per serial line setting while the meter's format is searched
  [--mdns-port N --ip ADDRESS]  DNS-SD responder and the address it announces
  [--mac HEX12]  the HomeWizard serial (default: this machine's first MAC)
  [--trial-s N] [--free-flash BYTES] [--cut-at STEP]  updates: trial time, flash to report, power-cut tests"""

_FLAGS = ("quiet", "setup", "verbose")


def _args(argv):
    opts = {
        "serial": None,
        "replay": None,
        "config": None,
        "data": ".",
        "quiet": False,
        "verbose": False,
        "setup": False,
        "heap-report": "0",
        "web-port": "0",
        "dns-port": "0",
        "scan-file": None,
        "www": "firmware/www",
        "line-window-ms": "0",
        "mdns-port": "0",
        "ip": "127.0.0.1",
        "mac": None,
        "trial-s": "600",
        "free-flash": None,
        "cut-at": None,
    }
    i = 0
    while i < len(argv):
        key = argv[i].lstrip("-")
        if key in _FLAGS:
            opts[key] = True
            i += 1
            continue
        if key not in opts or i + 1 >= len(argv):
            raise SystemExit(_USAGE)
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


def _mac(given):
    """The HomeWizard serial: 12 lowercase hex digits of a MAC address. --mac, else the first
    network interface's (Linux /sys), else a locally administered one made from nothing."""
    if given:
        return given.replace(":", "").lower()[:12]
    import os

    try:
        for name in sorted(os.listdir("/sys/class/net")):
            with open("/sys/class/net/%s/address" % name) as f:
                mac = f.read().strip().replace(":", "").lower()
            if len(mac) == 12 and mac != "000000000000":
                return mac
    except OSError:
        pass
    return "02484e504f52"  # locally administered ("HNPOR")


def _update_port(opts, slot):
    """Updates on the host: only the .mpy build under MicroPython (tools/hanport_host.py picks
    the folder); the source tree under CPython is a developer's checkout, not an install. Plain
    data (svc/updater.py reads it): nothing stays on the heap for it but this dict."""
    if slot is None:
        return None
    port = {"root": slot[0], "board": "host", "arch": None, "trial_s": int(opts["trial-s"]), "cut_at": opts["cut-at"]}
    if opts["free-flash"] is not None:
        port["free_flash"] = int(opts["free-flash"])  # tests: a small flash
    return port


class _Heartbeat:
    """The host's watchdog stand-in: tools/supervise.py kills and restarts a firmware whose
    heartbeat file (HANPORT_HEARTBEAT) stays untouched, as a board's watchdog resets it."""

    def __init__(self, path):
        from hanport.ticks import ticks_diff, ticks_ms

        self.path = path
        self.ticks_ms = ticks_ms
        self.ticks_diff = ticks_diff
        self.last = None
        self.feed()

    def feed(self):
        now = self.ticks_ms()
        if self.last is None or self.ticks_diff(now, self.last) >= 2000:
            self.last = now
            with open(self.path, "w") as f:
                f.write("%d\n" % now)


def _identify():
    _log("identify: the LED blinks for 5 s (a log line on the host)")


def _utc_now():
    import time

    return int(time.time())  # the host's clock is NTP-synced by its OS


def _umqtt():
    try:
        from umqtt import simple
    except ImportError:
        return None
    return simple


_SETUP_ONLY = (
    "hanport.svc.setup",
    "hanport.host.radio",
    "hanport.svc.dns",
    "hanport.core.lan.dnsanswer",
    "hanport.svc.admin",  # with what it loads; the settings page loads them again when asked
    "hanport.core.config",
    "hanport.core.lan.form",
    "hanport.core.lan.portal",
    "hanport.core.lan.auth",
)


def _setup(opts, store, cfg, reason, watchdog=None, slot=None):
    import asyncio

    from hanport.host.radio import HostRadio
    from hanport.svc.dns import DnsServer
    from hanport.svc.setup import SetupSite, run_setup

    port = int(opts["web-port"])
    site = SetupSite(
        cfg,
        store,
        HostRadio(opts["scan-file"]),
        _log,
        reason,
        cfg["device.id"] or "hanport-host",
        "127.0.0.1:%d" % port,
        _update_port(opts, slot),
        slot[1] if slot else None,
    )
    dns_port = int(opts["dns-port"])
    dns = DnsServer("127.0.0.1", dns_port, "127.0.0.1") if dns_port else None
    _log("setup: open http://127.0.0.1:%d/ in a browser" % port)
    asyncio.run(run_setup(site, port, opts["www"], dns, _log, watchdog))


class _HostShell:
    """What svc/startup.run() needs, on a Linux host: `--setup` is the button (first boot only),
    there is no radio (a missing config runs with defaults), setup needs --config and --web-port."""

    def __init__(self, opts, source, store, guard, slot=None):
        self.opts = opts
        self.slot = slot  # (data folder, pointer) when this is the .mpy build: updates possible
        self.source = source
        self.config_store = store
        self.guard = guard
        self.log = _log
        self.setup_possible = bool(opts["config"]) and opts["web-port"] != "0"
        self.has_radio = False
        self.asked = opts["setup"]
        import os

        beat = os.getenv("HANPORT_HEARTBEAT")
        self.watchdog = _Heartbeat(beat) if beat else None

    def _trial(self):
        if self.slot is None or self.slot[1].get("state") != "trial":
            return None
        from hanport.svc.trial import Trial

        return Trial(self.slot[0], self.slot[1], int(self.opts["trial-s"]) * 1000, _log)

    def button_held(self):
        asked, self.asked = self.asked, False
        return asked

    def setup(self, reason, cfg):
        from hanport.unload import forget

        _setup(self.opts, self.config_store, cfg, reason, self.watchdog, self.slot)
        forget(_SETUP_ONLY)  # the ESP32 resets instead; here the heap gets the code back

    def normal(self, cfg):
        import gc

        from hanport.netport import NetPort
        from hanport.svc.app import App, Ports
        from hanport.svc.store import JsonStore

        opts = self.opts
        data = opts["data"]
        gc.collect()  # what the last mode left behind, before the big buffers are taken
        ports = Ports(
            self.source,
            _log,
            _rand_below,
            net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
            umqtt=_umqtt(),
            hourly_store=JsonStore(data + "/hourly.json", 16384),
            peaks_store=JsonStore(data + "/peaks.json", 8192),
            utc_now=_utc_now,
            mem_free=getattr(gc, "mem_free", None),
            print_readings=False if opts["quiet"] else ("json" if opts["verbose"] else True),
            heap_report_s=int(opts["heap-report"]),
            web_port=int(opts["web-port"]),
            www_dir=opts["www"],
            config_store=self.config_store,
            boot_guard=self.guard,
            line_store=JsonStore(data + "/line.json", 512),
            line_window_ms=int(opts["line-window-ms"]),
            serial=_mac(opts["mac"]),
            device_ip=lambda: opts["ip"],
            mdns_port=int(opts["mdns-port"]),
            identify=_identify,
            update_port=_update_port(opts, self.slot),
            update_state=self.slot[1] if self.slot else None,
            trial=self._trial(),
            watchdog=self.watchdog,
        )
        if cfg["mqtt.host"] and ports.umqtt is None:
            _log("mqtt: umqtt.simple is not installed (make run installs it); MQTT disabled")
        app = App(cfg, ports, cfg["device.id"] or "hanport-host")
        app.run()
        _log("restarting: " + (app.next_mode or "settings saved"))
        return app.next_mode or "restart"


RESTART_EXIT = 75  # "start me again" to tools/supervise.py; 0 is a clean stop, anything else a crash


def _pointer_changed(slot):
    if slot is None:
        return False
    import appslot
    from hanport.unload import forget

    try:
        return appslot.read(slot[0]) != slot[1]
    finally:
        forget(("appslot",))


def _stop_signals():
    """SIGTERM (systemd) and SIGINT end the run as Ctrl-C does, where the runtime has signals
    (CPython). The MicroPython unix port has no signal module: tools/run.sh forwards SIGTERM to
    it as SIGINT, which it raises as KeyboardInterrupt."""
    try:
        import signal
    except ImportError:
        return

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started in the background with SIGINT ignored


def main(argv, slot=None):
    """slot: (data folder, pointer) from tools/hanport_host.py when the .mpy build runs."""
    from hanport.svc.bootguard import BootGuard
    from hanport.svc.startup import run
    from hanport.svc.store import JsonStore
    from hanport.ticks import ticks_ms

    opts = _args(argv)
    if opts["serial"]:
        from hanport.host.serial import TtySource

        source = TtySource(opts["serial"])
    else:
        from hanport.host.serial import ReplaySource

        source = ReplaySource(opts["replay"])
    store = JsonStore(opts["config"]) if opts["config"] else None
    _log(
        "hanport %s on %s, meter: %s" % (__import__("hanport").VERSION, sys.implementation.name, opts["serial"] or opts["replay"])
    )
    guard = BootGuard(JsonStore(opts["data"] + "/boot.json", 1024), "host_start", ticks_ms)
    if slot and slot[1].pop("rolled_back", False):
        guard.fresh_start()  # the version before an update that failed: not a crash loop of its own
    shell = _HostShell(opts, source, store, guard, slot)
    _stop_signals()
    try:
        import os

        supervised = os.getenv("HANPORT_SUPERVISED")
        while run(shell) == "restart":  # setup -> normal; normal -> normal after a save
            guard.stopped()  # a restart asked for (a save, an update): not a crash
            if supervised or _pointer_changed(slot):
                # As a board resets: tools/supervise.py (make run) starts the firmware again, which
                # picks the folder anew. Unsupervised runs restart in-process unless a version changed.
                _log("restarting: exit %d asks the supervisor for a new start" % RESTART_EXIT)
                sys.exit(RESTART_EXIT)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM forwarded as SIGINT by tools/run.sh
        guard.stopped()
        _log("stopped: a clean stop (not counted by the crash-loop guard)")


if __name__ == "__main__":
    main(sys.argv[1:])
