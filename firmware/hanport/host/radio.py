# The host has no Wi-Fi radio: this stands in for one in setup mode (`make run SETUP=1`).
# Without a scan file the host is "already online": joining succeeds with the host's loopback
# address. With --scan-file (JSON list of {"ssid", "rssi", "secure", "password"}) it behaves
# like a radio near those networks: wrong password and unknown network fail as on the ESP32.
import json

from hanport.ticks import ticks_diff, ticks_ms

_JOIN_MS = 1500  # a real join takes a few seconds; the page must show "trying" meanwhile


class HostRadio:
    def __init__(self, scan_file=None):
        self.networks = None
        if scan_file:
            with open(scan_file) as f:
                self.networks = json.load(f)
        self.target = None
        self.started = 0

    def scan(self):
        if not self.networks:
            return []
        return [(n["ssid"], n["rssi"], n.get("secure", True)) for n in self.networks]

    def join(self, ssid, password):
        self.target = (ssid, password)
        self.started = ticks_ms()

    def join_state(self):
        if self.target is None:
            return "idle", ""
        if ticks_diff(ticks_ms(), self.started) < _JOIN_MS:
            return "joining", ""
        if self.networks is None:
            return "connected", "127.0.0.1"
        ssid, password = self.target
        for n in self.networks:
            if n["ssid"] == ssid:
                if n.get("password", "") == password:
                    return "connected", "127.0.0.1"
                return "failed", "wrong password"
        return "failed", "network not found"
