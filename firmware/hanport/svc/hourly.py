# No lost hours: at every hour boundary of the meter clock the energy registers are
# snapshotted into a bounded ring of compact integer rows, mirrored to flash when a snapshot is
# added (so at most once per hour), and handed to each output until it acknowledges them,
# oldest first; the newest `keep` stay for the status page's hours (svc/hours.py). Imports the store port only.
from hanport.core.fields import METER_TIME
from hanport.core.reading import format_time

CAP = 60  # 48 h of outage plus margin; beyond that the oldest snapshot is dropped (counted if undelivered)
KEEP_FOR_PAGE = 49  # boards with the status page: 48 whole hours and the open one (today and yesterday)
_REGISTERS = ("energy_import_wh", "energy_export_wh", "reactive_energy_import_varh", "reactive_energy_export_varh")
# A row: [YYMMDDHH, meter date YYMMDD, meter clock hhmmss, 4 registers (-1: not sent), ack bits]
_ACK = 7
_ROW_LEN = 8


class HourlyRing:
    def __init__(self, store, channels, keep=0):
        self.store = store  # JsonStore or None
        self.channels = channels  # e.g. ("mqtt", "http"): each must acknowledge
        self.keep = keep  # delivered rows kept anyway, newest first (0: none, as without a web page)
        self.everyone = (1 << len(channels)) - 1  # the ack bits of a delivered row
        self.rows = []  # oldest first
        self.last_key = None  # YYMMDDHH of the last telegram seen
        self.dropped = 0
        self._load()

    def _load(self):
        if self.store is None:
            return
        lines = self.store.load_lines()
        if not lines:
            return
        head = lines[0]
        if isinstance(head, dict) and isinstance(head.get("last_key"), int):
            self.last_key = head["last_key"]
        for row in lines[1:]:
            if isinstance(row, list) and len(row) == _ROW_LEN and all(isinstance(v, int) for v in row):
                self.rows.append(row)
        self.rows = self.rows[-CAP:]
        self._trim()

    def _save(self):
        if self.store is None:
            return
        from hanport.core.jsonfmt import dumps

        def lines():
            yield dumps({"last_key": self.last_key})
            for row in self.rows:
                yield dumps(row)

        try:
            self.store.save_lines(lines())
        except (OSError, ValueError, MemoryError):
            pass  # flash full or worn, or no heap: the ring keeps working in RAM

    def on_telegram(self, hub):
        reading = hub.reading
        if reading is None or not reading.present[METER_TIME]:
            return
        date = reading.value[METER_TIME]
        clock = reading.aux[METER_TIME]
        key = date * 100 + clock // 10000
        if key == self.last_key:
            return
        first = self.last_key is None
        self.last_key = key
        if not first:  # booted mid-hour: the next boundary is the first snapshot
            values = hub.reading_dict
            row = [key, date, clock]
            for name in _REGISTERS:
                row.append(values.get(name, -1))
            row.append(0)
            self.rows.append(row)
            if len(self.rows) > CAP and self.rows.pop(0)[_ACK] & self.everyone != self.everyone:
                self.dropped += 1
            self._trim()
        self._save()

    def _trim(self):
        """Delivered rows beyond the newest `keep` are dropped, oldest first (each output
        acknowledges oldest first, so delivered rows are at the front)."""
        rows = self.rows
        while len(rows) > self.keep and rows[0][_ACK] & self.everyone == self.everyone:
            rows.pop(0)

    def _bit(self, channel):
        return 1 << self.channels.index(channel)

    def pending(self, channel):
        """Unacknowledged snapshots for this output, oldest first, as dicts (built on demand)."""
        bit = self._bit(channel)
        return [self.snapshot(row) for row in self.rows if not row[_ACK] & bit]

    def oldest_pending(self, channel):
        """The oldest snapshot not yet acknowledged by this output, or None."""
        bit = self._bit(channel)
        for row in self.rows:
            if not row[_ACK] & bit:
                return self.snapshot(row)
        return None

    def snapshot(self, row):
        key = row[0]
        snap = {"hour": format_time(key // 100, key % 100 * 10000), "meter_time": format_time(row[1], row[2])}
        for i in range(4):
            if row[3 + i] >= 0:
                snap[_REGISTERS[i]] = row[3 + i]
        return snap

    def ack(self, channel, snap):
        """The output has it. Delivered rows beyond `keep` are dropped (in RAM now, on flash with
        the next hour's save): without an outage and a page the ring stays near empty on the
        heap; a 48-hour outage, or the page's 49 hours, fill it to ~3 KB on 32 bits (docs/memory.md)."""
        hour = snap["hour"]
        for row in self.rows:
            if format_time(row[0] // 100, row[0] % 100 * 10000) == hour:
                row[_ACK] |= self._bit(channel)
                self._trim()
                return
