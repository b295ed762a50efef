# Wi-Fi for the ESP32 shell: the station link (connects, waits until the link is stable,
# reconnects with backoff, never logs the password), the setup access point (WPA2, per-device
# password, 192.168.4.1) and the radio used by the setup page (scan, join, result).
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
        self.down_since = ticks_ms()  # not connected since (boot counts as down)
        self.clock_set = False
        self.epoch_offset = 0

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

    def ip(self):
        """The station's IPv4 address once the link is stable, else None (mDNS announces it)."""
        if not self.stable() or not self.sta.isconnected():
            return None
        return self.sta.ifconfig()[0]

    def mac_hex(self):
        """The station MAC as 12 lowercase hex digits: the HomeWizard API's serial."""
        return "".join("%02x" % b for b in self.sta.config("mac"))

    def utc_now(self):
        """UTC seconds once NTP has set the clock since boot, else None."""
        if not self.clock_set:
            return None
        import time

        return time.time() + self.epoch_offset

    def _set_clock(self):
        try:
            import time

            import ntptime

            ntptime.settime()
            # MicroPython ports differ in epoch (1970 or 2000): make it Unix time.
            self.epoch_offset = 946684800 if time.gmtime(0)[0] == 2000 else 0
            self.clock_set = True
        except (OSError, ImportError, OverflowError):
            pass  # tried again at the next connect; meters with a clock do not need it

    def down_ms(self):
        """How long the home network has been unreachable; 0 while connected."""
        return 0 if self.up_since is not None else ticks_diff(ticks_ms(), self.down_since)

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
                    if not self.clock_set:
                        self._set_clock()  # blocks up to ~1 s, once
                await sleep_ms(1000)
                continue
            if self.up_since is not None:
                self.log("wifi: link to %s lost" % self.ssid)
                self.up_since = None
                self.down_since = ticks_ms()
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


class AccessPoint:
    """The setup network: WPA2-PSK with the device's own password, at 192.168.4.1."""

    def __init__(self, ssid, password, tx_power_dbm=0):
        self.ap = network.WLAN(network.AP_IF)
        self.ap.active(True)
        self.ap.config(essid=ssid, password=password, authmode=network.AUTH_WPA2_PSK, max_clients=4)
        if tx_power_dbm:
            self.ap.config(txpower=tx_power_dbm)
        self.ap.ifconfig(("192.168.4.1", "255.255.255.0", "192.168.4.1", "192.168.4.1"))

    def close(self):
        self.ap.active(False)


# network.WLAN.status() while joining -> what the setup page tells the user
_FAILURES = {
    network.STAT_WRONG_PASSWORD: "wrong password",
    network.STAT_NO_AP_FOUND: "network not found (out of range, or a 5 GHz-only network)",
    network.STAT_CONNECT_FAIL: "the network refused the connection",
}


class SetupRadio:
    """What the setup page needs from the radio; the station interface works while the
    access point stays up (both on the AP's channel)."""

    def __init__(self):
        self.sta = network.WLAN(network.STA_IF)
        self.sta.active(True)
        self.trying = False

    def scan(self):
        out = []
        for ssid, _bssid, _channel, rssi, authmode, _hidden in self.sta.scan():
            try:
                name = ssid.decode()
            except UnicodeError:
                continue  # not UTF-8: cannot be shown or typed; the user can still type a name
            out.append((name, rssi, authmode != 0))
        return out

    def join(self, ssid, password):
        try:
            self.sta.disconnect()
        except OSError:
            pass
        self.sta.connect(ssid, password)
        self.trying = True

    def join_state(self):
        if not self.trying:
            return "idle", ""
        status = self.sta.status()
        if self.sta.isconnected():
            return "connected", self.sta.ifconfig()[0]
        if status in _FAILURES:
            return "failed", _FAILURES[status]
        return "joining", ""
