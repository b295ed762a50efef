# ESP32 shell: the hardware wiring (UART, Wi-Fi, access point, watchdog, BOOT button, flash files)
# for the boot sequence of svc/startup.py, which decides the mode as on the host. Called by /main.py;
# nothing runs at import. With its siblings, the only code importing machine/network.
import gc
import os
import sys

import machine

from hanport.svc.store import JsonStore


def _log(text):
    print(text)


def _rand_below(n):
    import random

    return random.getrandbits(30) % n if n > 0 else 0


def _mac():
    import network

    return network.WLAN(network.STA_IF).config("mac")


def _device_id():
    import binascii

    return "hanport-" + binascii.hexlify(_mac()[-2:]).decode()


def _load_umqtt():
    try:
        from umqtt import simple

        return simple
    except ImportError:
        _log("mqtt: umqtt/simple.mpy missing: make deploy copies the pinned client")
        return None


class _Watchdog:
    def __init__(self, timeout_ms):
        self.wdt = machine.WDT(timeout=timeout_ms)  # cannot be stopped once started

    def feed(self):
        self.wdt.feed()


def _button_held(board):
    """The board's button (BOOT on most boards, active low) held during the first second."""
    if board["button_pin"] < 0:
        return False
    import time

    pin = machine.Pin(board["button_pin"], machine.Pin.IN, machine.Pin.PULL_UP)
    for _ in range(10):
        if pin.value():
            return False
        time.sleep_ms(100)
    return True


def _setup(board, store, cfg, reason, device_id, watchdog, app_dir, slot):
    import asyncio

    from hanport.core.lan.portal import AP_IP, ap_ssid
    from hanport.esp32.wifi import AccessPoint, SetupRadio
    from hanport.svc.dns import DnsServer
    from hanport.svc.setup import SetupSite, run_setup, setup_password

    password = setup_password(JsonStore("/setup.json", 512), os.urandom)
    ssid = ap_ssid(_mac())
    # The serial console is physical access: the password is shown there (and on the label the
    # deploy tool prints), never on a page or in an API answer.
    _log("setup: network %s, password %s, then open http://%s/ (%s)" % (ssid, password, AP_IP, reason))
    ap = AccessPoint(ssid, password, board["tx_power_dbm"])
    site = SetupSite(cfg, store, SetupRadio(), _log, reason, device_id, AP_IP, _update_port(board), slot)
    asyncio.run(run_setup(site, 80, app_dir + "/www", DnsServer(AP_IP, 53), _log, watchdog))
    ap.close()


async def _watch_wifi(app, wifi):
    from hanport.core.lan.portal import WIFI_DOWN_SETUP_MS
    from hanport.ticks import sleep_ms

    while wifi.down_ms() < WIFI_DOWN_SETUP_MS:
        await sleep_ms(5000)
    _log("wifi: home network down for 5 minutes: opening the setup network")
    app.request_restart("wifi_failed")


_RESET_CAUSES = {
    machine.PWRON_RESET: "power_on",
    machine.HARD_RESET: "hard_reset",  # also panics and brown-outs
    machine.WDT_RESET: "watchdog",
    machine.DEEPSLEEP_RESET: "deep_sleep",
    machine.SOFT_RESET: "soft_reset",
}


def _identify(board):
    """HomeWizard identify: the board's LED blinks for 5 s (no LED: nothing to show)."""
    if board["led_pin"] < 0:
        return
    import asyncio

    from hanport.ticks import sleep_ms

    async def blink():
        led = machine.Pin(board["led_pin"], machine.Pin.OUT)
        for i in range(20):
            led.value(i % 2 == 0)
            await sleep_ms(250)
        led.value(0)

    asyncio.create_task(blink())


class _EspShell:
    """What svc/startup.run() needs, on the ESP32: the BOOT button, a radio (a missing config opens
    setup), the watchdog started for normal mode and kept fed by setup after a Wi-Fi failure."""

    def __init__(self, guard, board, app_dir, slot):
        self.guard = guard
        self.board = board
        self.app_dir = app_dir  # the application folder main.py picked ("" : the flat install)
        self.slot = slot  # the pointer (appslot.py) as this boot found it
        self.log = _log
        self.config_store = JsonStore("/config.json")
        self.setup_possible = True
        self.has_radio = True
        # A version on trial: main.py started the watchdog before importing it, so setup feeds it too.
        self.watchdog = _Watchdog(30000) if slot.get("state") == "trial" else None
        self.device_id = None

    def button_held(self):
        return _button_held(self.board)

    def setup(self, reason, cfg):
        gc.collect()
        _setup(
            self.board, self.config_store, cfg, reason, cfg["device.id"] or _device_id(), self.watchdog, self.app_dir, self.slot
        )

    def normal(self, cfg):
        from hanport.esp32.uart import UartSource
        from hanport.esp32.wifi import WifiLink
        from hanport.netport import NetPort
        from hanport.svc.app import App, Ports

        board = self.board
        source = UartSource(board)  # the big buffers first, before the heap fragments
        device_id = cfg["device.id"] or _device_id()
        # The network's host name is the one the mDNS responder announces (ESP-IDF's own responder
        # answers it too, with the same address): mdns.host, else hanport- and the MAC's last 6 hex.
        import binascii

        host = cfg["mdns.host"] or "hanport-" + binascii.hexlify(_mac()[-3:]).decode()
        wifi = WifiLink(cfg["wifi.ssid"], cfg["wifi.password"], _log, _rand_below, host, board["tx_power_dbm"])
        self.watchdog = self.watchdog or _Watchdog(30000)
        update_port = _update_port(board)
        trial = None
        if self.slot.get("state") == "trial":
            from hanport.svc.trial import Trial

            trial = Trial("", self.slot, update_port["trial_s"] * 1000, _log)
        ports = Ports(
            source,
            _log,
            _rand_below,
            net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
            umqtt=_load_umqtt(),
            hourly_store=JsonStore("/hourly.jsonl", 16384),
            peaks_store=JsonStore("/peaks.json", 8192),
            line_store=JsonStore("/line.json", 512),
            utc_now=wifi.utc_now,
            mem_free=gc.mem_free,
            wifi=wifi,
            watchdog=self.watchdog,
            web_port=80 if board["web_server"] else 0,  # off on boards without PSRAM: docs/memory.md
            www_dir=self.app_dir + "/www",
            config_store=self.config_store,
            boot_guard=self.guard,
            board=board,
            serial=wifi.mac_hex(),
            device_ip=wifi.ip,
            mdns_port=5353 if board["web_server"] else 0,  # advertises the web server: none, none to find
            identify=lambda: _identify(board),
            update_port=update_port,
            update_state=self.slot,
            trial=trial,
        )
        app = App(cfg, ports, device_id)
        gc.collect()
        gc.threshold(gc.mem_free() // 4 + gc.mem_alloc())
        _log("hanport %s on %s, heap free %d" % (__import__("hanport").VERSION, sys.platform, gc.mem_free()))
        app.run(extra_tasks=[wifi.run(), _watch_wifi(app, wifi)])
        return app.next_mode or "restart"


def _update_port(board):
    """Updates (svc/updater.py) into the flash's root: bundles for this board's name and chip."""
    return {"root": "", "board": board["name"], "arch": "native", "trial_s": 600}


def run(app_dir="", slot=None):
    """The device's boot (svc/startup.py decides the mode); every path ends in a reset, so each
    mode starts on a clean heap with the stored config. app_dir, slot: what main.py picked."""
    import time

    from hanport.esp32 import board as board_config
    from hanport.svc.bootguard import BootGuard
    from hanport.svc.startup import run as boot

    guard = BootGuard(JsonStore("/boot.json", 1024), _RESET_CAUSES.get(machine.reset_cause(), "other"), time.ticks_ms)
    if slot and slot.pop("rolled_back", False):
        guard.fresh_start()  # the version before an update that failed: not a crash loop of its own
    board, errors = board_config.load()
    for error in errors:
        _log("board: " + error)
    try:
        boot(_EspShell(guard, board, app_dir, slot or {}))
    except KeyboardInterrupt:  # Ctrl-C on the console: the REPL, and not a crash
        guard.stopped()
        raise
    guard.stopped()  # a restart asked for is no crash: the crash-loop guard does not count it
    machine.reset()  # settings saved, setup finished, an update or the home network gone: start again
