# The running dongle, wired from ports given by a shell (ESP32 or host): meter -> hub ->
# MQTT / HTTP push / hourly ring / health (built by svc/wiring.py). The shells build it from
# svc/startup.run(): App(...).run(). Imports asyncio and the services; never machine, network or socket.
import asyncio

from hanport.core.jsonfmt import dumps
from hanport.svc.hub import CAUSES
from hanport.ticks import sleep_ms


class Ports:
    """What a shell provides. Attributes left None are not available on that platform."""

    def __init__(
        self,
        source,
        log,
        rand_below,
        net_port=None,
        umqtt=None,
        hourly_store=None,
        mem_free=None,
        wifi=None,
        watchdog=None,
        print_readings=False,
        heap_report_s=0,
        web_port=0,
        www_dir="/www",
        config_store=None,
        boot_guard=None,
        board=None,
        peaks_store=None,
        utc_now=None,
        line_store=None,
        line_window_ms=0,
        serial="",
        device_ip=None,
        mdns_port=0,
        identify=None,
        update_port=None,
        update_state=None,
        trial=None,
    ):
        self.source = source  # readinto(buf) -> n, never blocks
        self.log = log  # log(text)
        self.rand_below = rand_below  # rand_below(n) -> [0, n)
        self.net_port = net_port  # net_port(tls_context_or_None, host, timeout_s) -> NetPort
        self.umqtt = umqtt  # the umqtt.simple module
        self.hourly_store = hourly_store  # JsonStore for the hourly ring
        self.mem_free = mem_free  # () -> bytes
        self.wifi = wifi  # object with rssi(), ssid(), isconnected()
        self.watchdog = watchdog  # feed()
        self.print_readings = print_readings  # False, True (one line each), "json"
        self.heap_report_s = heap_report_s  # >0: log heap after gc.collect() that often (soak tests)
        self.web_port = web_port  # local web server / API port; 0: none
        self.www_dir = www_dir  # pre-gzipped pages (firmware/www)
        self.config_store = config_store  # JsonStore of the config file: the settings page saves there
        self.boot_guard = boot_guard  # svc/bootguard.py: told when this boot has run 60 s
        self.board = board  # board.json as used (support bundle)
        self.peaks_store = peaks_store  # JsonStore for the month's effekttariff candidates
        self.utc_now = utc_now  # () -> UTC seconds or None (clock not set): for meters without a clock
        self.line_store = line_store  # JsonStore: the meter's format and serial line, once found
        self.line_window_ms = line_window_ms  # per line setting while searching; 0: the default
        self.serial = serial  # 12 lowercase hex digits of the MAC: the HomeWizard API's serial
        self.device_ip = device_ip  # () -> the dongle's IPv4 address as text, or None (offline)
        self.mdns_port = mdns_port  # the mDNS responder's port (5353); 0: none
        self.identify = identify  # () -> None: blinks the LED a few seconds (HomeWizard identify)
        # Updates (svc/updater.py): {"root", "board", "arch", "trial_s", ...} or None (none
        # possible here); the pointer as this boot found it (appslot.py); svc/trial.py while on trial.
        self.update_port = update_port
        self.update_state = update_state or {}
        self.trial = trial


class App:
    def __init__(self, cfg, ports, device_id):
        self.cfg = cfg
        self.ports = ports
        self.serial = ports.serial
        self.mqtt = self.http = self.mdns = self.history = None
        self.last_meter_state = None
        self.stopping = None
        self.web = None
        self.next_mode = None  # set with the restart request: e.g. "wifi_failed" opens setup
        # The services are built by svc/wiring.py, which runs once and is forgotten (its code
        # would otherwise stay on the heap for as long as the dongle runs).
        from hanport.svc.wiring import wire
        from hanport.unload import forget

        wire(self, cfg, ports, device_id)
        forget(("hanport.svc.wiring",))

    def print_json(self, hub):  # make run VERBOSE=1, and the end-to-end tests
        self.ports.log("reading " + dumps(hub.reading_dict))

    def print_line(self, hub):  # make run: one line per telegram for people
        from hanport.core.summary import line

        self.ports.log("reading " + line(hub.reading_dict))

    def mqtt_client(self):
        """A new umqtt.simple client with the configured broker and credentials (each connect)."""
        cfg = self.cfg
        return self.ports.umqtt.MQTTClient(
            self.hub.device_id.encode(),
            cfg["mqtt.host"],
            cfg["mqtt.port"],
            cfg["mqtt.user"].encode() if cfg["mqtt.user"] else None,
            cfg["mqtt.password"].encode() if cfg["mqtt.user"] else None,
            keepalive=cfg["mqtt.keepalive_s"],
        )

    def http_port(self, tls, host):
        """The network port of one HTTP push (TLS with the default CA check when https)."""
        if not tls:
            return self.ports.net_port(None, host, 5)
        from hanport.tls import tls_context

        return self.ports.net_port(tls_context(), host, 5)

    def request_restart(self, next_mode=None):
        """Stop every service soon (settings saved, or the home network is gone); run() returns
        "restart" and the shell restarts (ESP32: machine.reset(), host: a new App)."""
        self.next_mode = next_mode
        if self.stopping is not None:
            self.stopping.set()

    def update_report(self):
        """This version, good or on trial, and the last update that was rolled back (until the next)."""
        state = self.ports.update_state
        out = {"version": self.hub.firmware_version, "state": state.get("state", "good")}
        if state.get("failed"):
            out["failed"] = state["failed"]  # {"version", "reason"}
        return out

    def diag(self):
        hub = self.hub
        state = hub.update_meter_state()
        out = {"uptime_s": hub.uptime_s(), "meter": state, "telegrams": self.meter.stats(), "firmware": hub.firmware_version}
        out["meter_line"] = self.meter.describe()
        out["update"] = self.update_report()
        if state in CAUSES:
            out["meter_hint"] = CAUSES[state]
        age = hub.telegram_age_ms()
        if age is not None:
            out["last_telegram_age_s"] = age // 1000
        if self.ports.mem_free is not None:
            out["heap_free"] = self.ports.mem_free()
        wifi = self.ports.wifi
        if wifi is not None:
            out["wifi_rssi"] = wifi.rssi()
        if self.mqtt is not None:
            out["mqtt"] = self.mqtt.status()
        if self.http is not None:
            out["http"] = self.http.status()
        if self.mdns is not None:
            out["mdns"] = self.mdns.status()
        out["hourly"] = {"kept": len(self.hourly.rows), "dropped": self.hourly.dropped}
        if hub.guard.rejected or hub.guard.restarts:
            out["implausible"] = hub.guard.rejected  # telegrams with energy registers not believed
        if hub.listener_errors or self.meter.errors:
            out["errors"] = {"listeners": hub.listener_errors, "meter": self.meter.errors, "last": hub.last_listener_error}
        return out

    async def supervise(self):
        """Meter state messages, and the watchdog fed only while the meter loop is alive."""
        ports = self.ports
        last_bytes = -1
        ticks = 0
        while True:
            ticks += 1
            if ports.heap_report_s and ticks % ports.heap_report_s == 0:
                self._heap_report()
            state = self.hub.update_meter_state()
            if state != self.last_meter_state:
                self.last_meter_state = state
                ports.log("meter: " + state + ((": " + CAUSES[state]) if state in CAUSES else ""))
            if ports.boot_guard is not None:
                ports.boot_guard.check()  # 60 s up: not a crash loop
            if ports.trial is not None:
                ports.trial.check(self)  # a new version: marked good, or back to the previous one
            if ports.watchdog is not None and (self.meter.bytes_total != last_bytes or state != "ok"):
                ports.watchdog.feed()  # the meter task is scheduled: the event loop is healthy
            last_bytes = self.meter.bytes_total
            await sleep_ms(1000)

    def _heap_report(self):
        import gc

        gc.collect()
        free = gc.mem_free() if hasattr(gc, "mem_free") else -1
        stats = self.meter.stats()
        self.ports.log("heap free=%d telegrams=%d crc_error=%d" % (free, stats.get("ok", 0), stats.get("crc_error", 0)))

    async def main(self, extra_tasks=()):
        self.stopping = asyncio.Event()
        tasks = [asyncio.create_task(self.meter.run()), asyncio.create_task(self.supervise())]
        for coro in extra_tasks:
            tasks.append(asyncio.create_task(coro))
        if self.ports.web_port:
            from hanport.svc.site import NormalSite
            from hanport.svc.web import WebServer

            site = NormalSite(self, self.ports.config_store)
            self.web = site.web = WebServer(site, self.ports.web_port, self.ports.www_dir)
            tasks.append(asyncio.create_task(self.web.serve()))
            self.ports.log("web: status page and API on port %d" % self.ports.web_port)
            if self.mdns is not None:
                tasks.append(asyncio.create_task(self.mdns.run()))
        if self.mqtt is not None:
            tasks.append(asyncio.create_task(self.mqtt.run()))
        if self.http is not None:
            tasks.append(asyncio.create_task(self.http.run()))
        await self.stopping.wait()
        if self.mdns is not None:
            self.mdns.goodbye()  # browsers forget this address at once: it may change
        await sleep_ms(500)  # let the reply that asked for the restart go out
        for task in tasks:
            task.cancel()
        if self.web is not None:
            self.web.close()
        await sleep_ms(100)
        return "restart"

    def run(self, extra_tasks=()):
        """Runs until a restart is requested; returns "restart"."""
        return asyncio.run(self.main(extra_tasks))
