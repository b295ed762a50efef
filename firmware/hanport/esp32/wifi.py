# Wi-Fi station link for the ESP32 shell: connects, waits until the link has been stable for a
# few seconds, reconnects with backoff when it drops; never logs the password. Imports network.
import network

from hanport.core.backoff import Backoff
from hanport.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms

_STABLE_MS = 3000


class WifiLink:
    def __init__(self, ssid, password, log, rand_below, hostname=None, tx_power_dbm=0):
        self.ssid = ssid
        self.password = password
        self.log = log
        self.sta = network.WLAN(network.STA_IF)
        self.backoff = Backoff(rand_below, first_ms=2000, cap_ms=60000)
        self.up_since = None
        self.hostname = hostname
        self.tx_power_dbm = tx_power_dbm
        self.failures = 0

    def isconnected(self):
        return self.sta.isconnected()

    def stable(self):
        return self.up_since is not None and ticks_diff(ticks_ms(), self.up_since) >= _STABLE_MS

    def rssi(self):
        try:
            return self.sta.status("rssi") if self.sta.isconnected() else None
        except (OSError, ValueError):
            return None

    def ssid_name(self):
        return self.ssid

    def _start(self):
        self.sta.active(True)
        try:
            self.sta.config(reconnects=0)  # we reconnect ourselves, with backoff
            if self.hostname:
                network.hostname(self.hostname)
            if self.tx_power_dbm:
                self.sta.config(txpower=self.tx_power_dbm)
        except (OSError, ValueError, AttributeError):
            pass
        self.sta.connect(self.ssid, self.password)

    async def run(self):
        while True:
            if self.sta.isconnected():
                if self.up_since is None:
                    self.up_since = ticks_ms()
                    self.backoff.reset()
                    self.log("wifi: connected to %s, address %s" % (self.ssid, self.sta.ifconfig()[0]))
                await sleep_ms(1000)
                continue
            if self.up_since is not None:
                self.log("wifi: link to %s lost" % self.ssid)
                self.up_since = None
            self._start()
            deadline = ticks_add(ticks_ms(), 20000)  # ticks wrap around: never add directly
            while not self.sta.isconnected() and ticks_diff(deadline, ticks_ms()) > 0:
                await sleep_ms(250)
            if not self.sta.isconnected():
                self.failures += 1
                delay = self.backoff.next_delay_ms()
                self.log("wifi: cannot join %s (status %s); retry in %d s" % (self.ssid, self.sta.status(), delay // 1000))
                self.sta.disconnect()
                await sleep_ms(delay)
