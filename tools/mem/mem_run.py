# make mem, inside the 32-bit VM: the real firmware (.mpy build in /fw) in one mode on a virtual
# clock with in-process peers, in slices of 1 KB of allocation (__slices__: this port collects
# only between two calls from JS); prints "MEM {json}" at the end. tools/mem.py runs it:
# mem_run.py MODE [MS [INTERVAL_MS]], or MODE harness (what the harness alone keeps).
import gc
import sys

import micropython

sys.path.insert(0, "/mem")
sys.path.insert(0, "/fw")
import browser  # noqa: E402
import memnet  # noqa: E402
import vasyncio  # noqa: E402
from browser import http  # noqa: E402

vasyncio.install()
memnet.install()

MODE = sys.argv[1]
BOARD = __import__("json").loads(open("/fw/board.json").read())
WEB = BOARD.get("web_server", True)  # as esp32/main.py: the board's defaults decide
# *_update: a full bundle (tools/bundle.py's host one, /data/update.hpb) is uploaded to
# POST /api/update (setup: the portal, as on boards without PSRAM; normal: the settings side; tools/mem/browser.py).
UPDATE = MODE.endswith("_update")
UPDATE_PORT = {"root": "/data", "board": "host", "arch": None, "trial_s": 600, "free_flash": 4000000}
if MODE.startswith("normal_binary"):
    import cryptolib  # noqa: F401 - the C module on a device; its Python stand-in counts as harness here
HOUR_MS = 3600000
# This port can collect only between two calls from JS, so garbage made within a slice makes
# the heap grow where a device would collect first (py/gc.c collects before it adds an area).
# Small slices keep that artefact small.
# Boards with PSRAM have room to spare: larger slices there (tools/mem.py) keep the run short.
SLICE_BYTES = int(__import__("os").getenv("HANPORT_MEM_SLICE") or 1024)
SPLIT = 134217728  # this build's "max new split", which gc.mem_free() includes
HTTP_PATHS = ("/", "/api/v1/data", "/api/status", "/api/peaks", "/api")
_peak = {"used": 0, "at_ms": 0, "modules": [], "what": "", "total": 0, "harness": 0, "steady": 0}
STEADY_AFTER_MS = 120000  # the boot's transients (line search, discovery) are over by then
_state = {"what": "boot", "slices": 0, "out": None, "first_total": 0, "bound": 0, "bound_at_ms": 0, "bound_what": ""}
_log_lines = [0]


def sample(what):
    """Names what the firmware is doing: the next slice boundary's figure is attributed to it."""
    _state["what"] = what


def _measure():
    total = gc.mem_alloc() + gc.mem_free() - SPLIT
    if not 64000 <= total < 1 << 24:
        raise RuntimeError("heap total %d: this build's max new split is not %d" % (total, SPLIT))
    if total > _peak["total"]:
        _peak["total"] = total
    used = gc.mem_alloc()
    if vasyncio.now_ms >= STEADY_AFTER_MS and used > _peak["steady"]:
        _peak["steady"] = used
    if used > _peak["used"]:
        _peak["used"] = used
        _peak["at_ms"] = vasyncio.now_ms
        _peak["what"] = _state["what"]
        _peak["modules"] = sorted(k for k in sys.modules if k.startswith("hanport") or k.startswith("umqtt"))
    return used


def __slices__():
    """One slice: run scheduler steps until SLICE_BYTES were allocated; True while there is more."""
    _state["slices"] += 1
    if _state["slices"] == 1:  # after the first collection: what the harness itself keeps
        _peak["harness"] = _peak["used"] = gc.mem_alloc()
        _state["first_total"] = _peak["total"] = gc.mem_alloc() + gc.mem_free() - SPLIT
        if sys.argv[2:3] == ["harness"]:
            print("HARNESS %d %d" % (_peak["harness"], _state["first_total"]))
            return False
        vasyncio.start(_main_coro())
    start = _measure()
    more = True
    while more and gc.mem_alloc() - start < SLICE_BYTES:
        more = vasyncio.step()
    # Everything allocated in this slice could have been alive at once: an upper bound of what
    # a device, which collects whenever an allocation would fail, needs at that moment.
    bound = gc.mem_alloc()
    if bound > _state["bound"]:
        _state["bound"], _state["bound_at_ms"], _state["bound_what"] = bound, vasyncio.now_ms, _state["what"]
    gc.collect()  # done by the port when this call returns to JS
    if not more:
        _report(vasyncio.result())
    return more


def log(text):
    _log_lines[0] += 1
    print("log %d.%03d %s" % (vasyncio.now_ms // 1000, vasyncio.now_ms % 1000, text))


def rand_below(n):
    import random

    return random.getrandbits(30) % n if n > 0 else 0


class RecordSource:
    """The meter: a file of records (2-byte big-endian length, then one telegram or frame as
    sent), each one starting when the virtual clock reaches its slot (the meter's cadence),
    read in UART-sized chunks."""

    def __init__(self, path, interval_ms):
        self.f = open(path, "rb")
        self.head = bytearray(2)
        self.interval_ms = interval_ms
        self.due = 0
        self.left = 0
        self.sent = 0

    def configure(self, baud, parity, flip):
        pass  # the line search may switch: these records are what the right setting delivers

    def readinto(self, buf):
        if self.left == 0:
            if vasyncio.now_ms < self.due or self.f.readinto(self.head) != 2:
                return 0
            self.left = self.head[0] << 8 | self.head[1]
            self.due += self.interval_ms
            self.sent += 1
        n = self.f.readinto(memoryview(buf)[: min(len(buf), self.left, 256)])
        self.left -= n
        return n


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


# A DNS-SD browse: one PTR question for _hwenergy._tcp.local (RFC 6763), as Home Assistant sends.
MDNS_QUERY = b"\0\0\0\0\0\x01\0\0\0\0\0\0\x09_hwenergy\x04_tcp\x05local\0\0\x0c\0\x01"


async def world(app, duration_ms):
    """The house around the dongle: browsers and Home Assistant polling, a broker outage of
    2 minutes, and at the end a settings save (which restarts the services)."""
    from hanport.ticks import sleep_ms

    answered = {}
    n = 0
    outage_from = duration_ms // 2
    while vasyncio.now_ms < duration_ms:
        await sleep_ms(10000)
        n += 1
        sample("running")
        if UPDATE and n == 12:  # after 2 minutes: an update from the settings page; it restarts the dongle
            app.world = {"update": await browser.upload("192.168.1.50", sample)}
            sample("after update")
            return
        if WEB and n % 3 == 1:  # Home Assistant and a phone browsing for the dongle (mDNS)
            memnet.dns_queries.append(MDNS_QUERY)
        if WEB and n % 3 == 0:
            path = HTTP_PATHS[(n // 3) % len(HTTP_PATHS)]
            status, _ = await http("GET", path)
            answered[status] = answered.get(status, 0) + 1
            sample("after GET " + path)
        if vasyncio.now_ms >= outage_from and memnet.MQTT_PORT not in memnet.down and vasyncio.now_ms < outage_from + 120000:
            log("mem: broker outage starts")
            memnet.outage(memnet.MQTT_PORT, True)
        elif vasyncio.now_ms >= outage_from + 120000 and memnet.MQTT_PORT in memnet.down:
            log("mem: broker back")
            memnet.outage(memnet.MQTT_PORT, False)
    if WEB:
        body = read_file("/data/settings_body.txt")
        auth = read_file("/data/settings_auth.txt").decode()
        extra = "Authorization: %s\r\nOrigin: http://192.168.1.50\r\nContent-Type: application/x-www-form-urlencoded\r\n" % auth
        status, _ = await http("POST", "/api/settings", body, extra)
        answered["post_%d" % status] = 1
        sample("after settings POST")
    app.world = answered
    app.request_restart()


async def _import_stepwise(names):
    """One module per scheduler step. A device collects during an import when the heap is
    short (py/gc.c collects before it grows); this VM only between slices, so importing the
    whole firmware in one step would count its loading garbage as heap the device needs."""
    for name in names:
        __import__(name)
        await vasyncio.sleep_ms(0)


def _app_modules(cfg):
    """What App(cfg, ...) imports for this configuration, deepest first."""
    try:  # the decoder the meter service starts with: the stored line's (svc/linesearch.py);
        line = read_file("/data/line.json").decode()  # none on a first boot: the one found
    except OSError:
        line = ""
    names = []
    if "hdlc" in line:
        names.append("hanport.core.binary.bindecoder")
    elif line:
        names += ["hanport.core.p1.framer", "hanport.core.p1.parser", "hanport.core.p1.decoder"]
    names.append("hanport.svc.meter")
    names += ["hanport.svc.hourly", "hanport.svc.hub", "hanport.svc.app"]
    names += ["hanport.core.calendar", "hanport.core.tariff.billing", "hanport.core.tariff.periods", "hanport.svc.peaks"]
    if cfg["mqtt.host"]:
        names.append("hanport.svc.mqtt")
    if cfg["http.url"]:
        names.append("hanport.svc.http_push")
    if WEB:
        names += ["hanport.svc.history", "hanport.svc.web", "hanport.svc.site", "hanport.core.lan.mdnsanswer", "hanport.svc.mdns"]
    return names


def _boot_pick():
    """As main.py on a board: the application folder picked from the pointer (appslot.py, as
    make deploy wrote it), then appslot dropped again; its names stay interned."""
    import appslot

    _, slot = appslot.choose("/data", "power_on")
    sys.modules.pop("appslot", None)
    return slot


async def normal(duration_ms, interval_ms):
    slot = _boot_pick()
    await _import_stepwise(("hanport.netport", "hanport.svc.store", "hanport.svc.bootguard", "hanport.svc.startup"))
    from umqtt import simple

    from hanport.core.boards import validate
    from hanport.netport import NetPort
    from hanport.svc.app import App, Ports
    from hanport.svc.bootguard import BootGuard
    from hanport.svc.startup import load_config
    from hanport.svc.store import JsonStore
    from hanport.ticks import ticks_ms
    from hanport.unload import forget

    guard = BootGuard(JsonStore("/data/boot.json", 1024), "power_on", ticks_ms)
    board, _ = validate(__import__("json").loads(read_file("/fw/board.json")))
    forget(("hanport.core.boards",))  # as esp32/board.py does once the board file is checked
    await vasyncio.sleep_ms(0)
    store = JsonStore("/data/config.json")
    cfg, _ = load_config(store, log)
    await vasyncio.sleep_ms(0)
    await _import_stepwise(_app_modules(cfg))
    ports = Ports(
        RecordSource("/data/meter.bin", interval_ms),
        log,
        rand_below,
        net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
        umqtt=simple,
        hourly_store=JsonStore("/data/hourly.jsonl", 16384),
        peaks_store=JsonStore("/data/peaks.json", 8192),
        line_store=JsonStore("/data/line.json", 512),
        utc_now=lambda: None,
        mem_free=gc.mem_free,
        web_port=80 if WEB else 0,
        www_dir="/fw/www",
        config_store=store,
        boot_guard=guard,
        board=board,
        serial="a4cf12ab34cd",
        device_ip=lambda: "192.168.1.57",
        mdns_port=5353 if WEB else 0,  # the DNS-SD responder runs with the web server it advertises
        update_port=UPDATE_PORT if UPDATE else None,
        update_state=slot,
    )
    app = App(cfg, ports, "hanport-mem")
    app.world = None
    sample("started")
    app.page = None
    pages = [browser.status_page(app, duration_ms, sample)] if WEB else []
    result = await app.main(extra_tasks=[world(app, duration_ms)] + pages)  # App.run() is asyncio.run(main)
    stats = app.meter.stats()
    out = {"result": result, "telegrams": stats, "web": app.world, "sent": ports.source.sent, "page": app.page}
    if app.mdns is not None:
        out["mdns"] = app.mdns.status()
    return out


async def setup_mode():
    slot = _boot_pick()
    from hanport.host.radio import HostRadio
    from hanport.svc.dns import DnsServer
    from hanport.svc.setup import SetupSite, run_setup
    from hanport.svc.startup import load_config
    from hanport.svc.store import JsonStore

    store = JsonStore("/data/config.json")
    cfg, _ = load_config(store, log)
    site = SetupSite(cfg, store, HostRadio("/data/scan.json"), log, "no_config", "hanport-mem", "192.168.4.1", UPDATE_PORT, slot)
    dns = DnsServer("192.168.4.1", 53)
    query = read_file("/data/dns_query.bin")
    results = {}

    async def phone():
        from hanport.ticks import sleep_ms

        await sleep_ms(1000)
        for _ in range(5):
            memnet.dns_queries.append(query)
        for path in ("/generate_204", "/", "/style.css", "/api/setup", "/api/setup/networks"):
            status, _ = await _portal_http("GET", path)
            results[path] = status
            sample("after GET " + path)
        if UPDATE:  # a board without PSRAM is updated from its portal; the update ends setup
            results["update"] = await browser.upload("192.168.4.1", sample)
            sample("after update")
            return
        body = read_file("/data/setup_body.txt")
        status, _ = await _portal_http("POST", "/api/setup", body)
        results["POST /api/setup"] = status
        sample("after setup POST")
        await sleep_ms(3000)
        status, _ = await _portal_http("GET", "/api/setup/result")
        results["result"] = status
        status, _ = await _portal_http("POST", "/api/setup/finish", b"x=1")
        results["finish"] = status
        sample("after finish")

    vasyncio.create_task(phone())
    try:  # the portal waits for its user for ever: the phone above must have finished it by then
        result = await vasyncio.wait_for(run_setup(site, 80, "/fw/www", dns, log), 600)
    except vasyncio.TimeoutError:
        raise RuntimeError("setup did not finish: the phone's answers were %r" % results)
    return {"result": result, "web": results, "dns_answers": memnet.stats["dns_answers"]}


def _portal_http(method, path, body=b""):
    extra = "Origin: http://192.168.4.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" if method == "POST" else ""
    return http(method, path, body, extra, "192.168.4.1")


def _main_coro():
    duration_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 2 * HOUR_MS + 600000
    if MODE.startswith("setup"):
        return setup_mode()
    return normal(duration_ms, int(sys.argv[3]) if len(sys.argv) > 3 else 10000)


def _report(out):
    import json

    out.update(memnet.stats)
    out["mode"] = MODE
    out["harness"] = _peak["harness"]
    out["vm_total"] = _peak["total"]  # this VM's heap: it grows instead of collecting within a slice
    out["first_area"] = _state["first_total"] - _peak["harness"]  # what the firmware found at start
    out["peak_bound"] = _state["bound"] - _peak["harness"]
    out["bound_at_s"] = _state["bound_at_ms"] // 1000
    out["bound_what"] = _state["bound_what"]
    made, at_ms, task = vasyncio.largest_step
    out["largest_step"] = {"bytes": made, "at_s": at_ms // 1000, "task": task}
    out["peak_used_total"] = _peak["used"]
    out["peak_used"] = _peak["used"] - _peak["harness"]
    out["steady_used"] = max(0, _peak["steady"] - _peak["harness"])  # peak after the first 2 minutes
    out["peak_at_s"] = _peak["at_ms"] // 1000
    out["peak_what"] = _peak["what"]
    out["modules"] = _peak["modules"]
    out["log_lines"] = _log_lines[0]
    out["slices"] = _state["slices"]
    print("MEM " + json.dumps(out))
    micropython.mem_info()  # the largest free block, read by tools/mem.py
    micropython.qstr_info()  # interned names: their pool doubles as it fills (docs/memory.md)
