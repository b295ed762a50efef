# Power over the last 15 minutes for the status page graph: 90 buckets of 10 s in a
# preallocated array, latest value per bucket, nothing stored when the meter is silent.
# Imports the clock compat only.
from array import array

from hanport.ticks import ticks_diff, ticks_ms

BUCKETS = 90
BUCKET_MS = 10000
_NONE = -(2**31)


class PowerHistory:
    def __init__(self):
        self.values = array("i", [_NONE] * BUCKETS)
        self.start_ms = ticks_ms()
        self.last_index = 0

    def _index(self):
        return ticks_diff(ticks_ms(), self.start_ms) // BUCKET_MS

    def on_telegram(self, hub):
        reading = hub.reading_dict
        if reading is None or "power_w" not in reading:
            return
        index = self._index()
        for k in range(self.last_index + 1, min(index, self.last_index + BUCKETS) + 1):
            self.values[k % BUCKETS] = _NONE  # buckets without telegrams stay empty
        self.values[index % BUCKETS] = reading["power_w"]
        self.last_index = index

    def series(self):
        """[(seconds ago, W)] oldest first, for buckets that have a value."""
        index = self._index()
        out = []
        for age in range(BUCKETS - 1, -1, -1):
            k = index - age
            if k < 0 or k > self.last_index or self.last_index - k >= BUCKETS:
                continue
            v = self.values[k % BUCKETS]
            if v != _NONE:
                out.append([age * BUCKET_MS // 1000, v])
        return out
