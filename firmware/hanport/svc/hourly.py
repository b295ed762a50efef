# No lost hours: at every hour boundary of the meter clock the energy registers are
# snapshotted into a bounded ring, mirrored to flash when a snapshot is added (so at most once
# per hour), and handed to each output until that output acknowledges it, oldest first.
# Imports the store port only.
from hanport.core.fields import METER_TIME
from hanport.core.reading import format_time

CAP = 60  # 48 h of outage plus margin; beyond that the oldest snapshot is dropped and counted
_REGISTERS = ("energy_import_wh", "energy_export_wh", "reactive_energy_import_varh", "reactive_energy_export_varh")


class HourlyRing:
    def __init__(self, store, channels):
        self.store = store  # JsonStore or None
        self.channels = channels  # e.g. ("mqtt", "http"): each must acknowledge
        self.entries = []  # oldest first: dicts with "hour" and registers
        self.acked = {ch: set() for ch in channels}  # hour labels delivered per channel
        self.last_key = None  # YYMMDDHH of the last telegram seen
        self.dropped = 0
        self._load()

    def _load(self):
        data = self.store.load() if self.store is not None else None
        if not isinstance(data, dict):
            return
        entries = data.get("entries")
        if isinstance(entries, list):
            self.entries = [e for e in entries if isinstance(e, dict) and "hour" in e][-CAP:]
        acked = data.get("acked")
        if isinstance(acked, dict):
            for ch in self.channels:
                self.acked[ch] = set(h for h in acked.get(ch, []) if isinstance(h, str))
        if isinstance(data.get("last_key"), int):
            self.last_key = data["last_key"]

    def _save(self):
        if self.store is None:
            return
        from hanport.core.jsonfmt import dumps

        acked = {ch: sorted(self.acked[ch]) for ch in self.channels}
        try:
            self.store.save_text(dumps({"entries": self.entries, "acked": acked, "last_key": self.last_key}))
        except (OSError, ValueError):
            pass  # flash full or worn: the ring keeps working in RAM

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
        if first:
            self._save()
            return  # booted mid-hour: the next boundary is the first snapshot
        snap = {"hour": format_time(date, clock // 10000 * 10000), "meter_time": hub.reading_dict.get("meter_time")}
        for name in _REGISTERS:
            if name in hub.reading_dict:
                snap[name] = hub.reading_dict[name]
        self.entries.append(snap)
        while len(self.entries) > CAP:
            gone = self.entries.pop(0)
            self.dropped += 1
            for ch in self.channels:
                self.acked[ch].discard(gone["hour"])
        self._save()

    def pending(self, channel):
        done = self.acked[channel]
        return [e for e in self.entries if e["hour"] not in done]

    def ack(self, channel, snap):
        self.acked[channel].add(snap["hour"])
