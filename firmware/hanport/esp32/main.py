# ESP32 main: builds the ports (UART, Wi-Fi, watchdog, flash files) from /config.json and
# /board.json and runs the same services as the host. Called by /main.py at boot; nothing
# here runs at import. The only module, with its siblings, that imports machine or network.
import gc
import sys

import machine

from hanport.svc.app import App, Ports, load_config
from hanport.svc.store import JsonStore


def _log(text):
    print(text)


def _rand_below(n):
    import random

    return random.getrandbits(30) % n if n > 0 else 0


def _device_id():
    import binascii

    return "hanport-" + binascii.hexlify(machine.unique_id()[-3:]).decode()


def _load_umqtt():
    try:
        from umqtt import simple

        return simple
    except ImportError:
        _log("mqtt: umqtt.simple missing: mpremote mip install umqtt.simple")
        return None


class _Watchdog:
    def __init__(self, timeout_ms):
        self.wdt = machine.WDT(timeout=timeout_ms)  # cannot be stopped once started

    def feed(self):
        self.wdt.feed()


def run():
    from hanport.esp32 import board as board_config
    from hanport.esp32.uart import UartSource

    board, errors = board_config.load()
    for error in errors:
        _log("board: " + error)
    # Allocate the big buffers first, before the heap fragments (UART rx ring is outside it).
    source = UartSource(board)
    store = JsonStore("/config.json")
    cfg, _ = load_config(store, _log)
    device_id = cfg["device.id"] or _device_id()
    wifi = None
    if cfg["wifi.ssid"]:
        from hanport.esp32.wifi import WifiLink

        wifi = WifiLink(cfg["wifi.ssid"], cfg["wifi.password"], _log, _rand_below, device_id, board["tx_power_dbm"])
    umqtt = _load_umqtt()
    from hanport.netport import NetPort

    ports = Ports(
        source,
        _log,
        _rand_below,
        net_port=lambda ctx, host, timeout: NetPort(timeout, ctx, host),
        umqtt=umqtt,
        hourly_store=JsonStore("/hourly.jsonl", 16384),
        mem_free=gc.mem_free,
        wifi=wifi,
        watchdog=_Watchdog(30000),
    )
    app = App(cfg, ports, device_id)
    gc.collect()
    gc.threshold(gc.mem_free() // 4 + gc.mem_alloc())
    _log("hanport %s on %s, heap free %d" % (__import__("hanport").VERSION, sys.platform, gc.mem_free()))
    app.run(extra_tasks=[wifi.run()] if wifi is not None else [])
