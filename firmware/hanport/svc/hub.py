# Shared state of the running dongle: the latest reading (latest value wins, no queues),
# its sequence number and age, the meter link status with its likely causes, and counters.
# Services read and update it between awaits; nothing here blocks. Imports ticks and
# core/sanity.py (implausible energy registers are not published).
from hanport.core.sanity import EnergyGuard
from hanport.ticks import ticks_diff, ticks_ms

NO_DATA_MS = 30000  # no byte from the meter for 30 s

# Meter link states and what to tell the user about them.
STARTING = "starting"
OK = "ok"
NO_DATA = "no_data"
NO_TELEGRAMS = "no_telegrams"
ENCRYPTED = "encrypted"
CAUSES = {
    NO_DATA: (
        "No bytes from the meter for 30 s. Most likely the HAN port is not activated yet: ask your grid operator "
        "to open the customer port (it is off until you request it). Otherwise check the RJ12 cable (pin 2 data "
        "request must be tied to +5 V, pin 5 data to the RX pin with a pull-up to 3.3 V, pin 3 to GND)."
    ),
    NO_TELEGRAMS: (
        "Bytes arrive but no valid telegram for 30 s: check the signal inversion setting (software inversion "
        "with a plain pull-up, no inversion with a transistor inverter), the baud rate (115200 8N1), or whether "
        "the meter sends binary HDLC frames (older Swedish meters). The dongle tries each line setting in turn."
    ),
    ENCRYPTED: (
        "The meter sends encrypted DLMS frames (encrypted - key needed): ask the grid operator for the HAN port's "
        "encryption key (GUEK, 32 hex digits) and enter it in Settings, or check it if it is set: frames decrypted "
        "with it do not make sense."
    ),
}


class Hub:
    def __init__(self, device_id, firmware_version):
        self.device_id = device_id
        self.firmware_version = firmware_version
        self.reading = None  # the decoder's Reading: consistent at every await point
        self.reading_dict = None  # its dict, built once per telegram for all publishers
        self.seq = 0  # +1 per valid telegram
        self.started_ms = ticks_ms()
        self.last_byte_ms = None
        self.last_telegram_ms = None
        self.meter_state = STARTING
        self.encrypted = False  # the last binary frame was encrypted (set by the meter service)
        self.counters = {}
        self.listeners = []  # callables(hub) run on every valid telegram
        self.listener_errors = 0
        self.last_listener_error = ""
        self.guard = EnergyGuard()
        self.last_check_ms = None  # the previous telegram, published or not
        self.log = None  # log(text), set by the app: the first implausible telegram is logged

    def bytes_seen(self):
        self.last_byte_ms = ticks_ms()

    def telegram(self, reading):
        """A valid telegram (CRC or FCS checked): published unless its energy registers are
        implausible (core/sanity.py); then counted, the first one logged, and nothing downstream
        (outputs, effekttariff, hourly ring) sees it."""
        now = ticks_ms()
        elapsed = ticks_diff(now, self.last_check_ms) if self.last_check_ms is not None else 0
        self.last_check_ms = now
        guard = self.guard
        restarts = guard.restarts
        if not guard.check(reading, elapsed):
            if guard.rejected == 1 and self.log is not None:
                self.log(
                    "meter: an energy register went backwards or jumped (%s); not published, counted" % guard.status()["last"]
                )
            return
        if guard.restarts != restarts and self.log is not None:
            self.log("meter: its energy registers restarted; following them from here")
        self.reading = reading
        self.reading_dict = reading.to_dict()
        self.seq += 1
        self.last_telegram_ms = ticks_ms()
        self.meter_state = OK
        for listener in self.listeners:
            try:
                listener(self)
            except Exception as e:  # a failing output must never stop the meter being read
                self.listener_errors += 1
                self.last_listener_error = "%s: %s" % (type(e).__name__, e)

    def telegram_age_ms(self):
        if self.last_telegram_ms is None:
            return None
        return ticks_diff(ticks_ms(), self.last_telegram_ms)

    def uptime_s(self):
        return ticks_diff(ticks_ms(), self.started_ms) // 1000

    def update_meter_state(self):
        """Called periodically: derive no_data / no_telegrams from the silence."""
        now = ticks_ms()
        since_byte = ticks_diff(now, self.last_byte_ms if self.last_byte_ms is not None else self.started_ms)
        since_telegram = ticks_diff(now, self.last_telegram_ms if self.last_telegram_ms is not None else self.started_ms)
        if since_byte >= NO_DATA_MS:
            self.meter_state = NO_DATA
        elif since_telegram >= NO_DATA_MS:
            self.meter_state = ENCRYPTED if self.encrypted else NO_TELEGRAMS
        elif self.last_telegram_ms is not None:
            self.meter_state = OK
        return self.meter_state

    def is_fresh(self, max_age_ms):
        age = self.telegram_age_ms()
        return age is not None and age <= max_age_ms
