# The second line of defence behind the CRC (issue 13): energy registers only ever grow, and no
# faster than a grid connection can deliver. A telegram that breaks this (a damage that a CRC
# collision let through) is not published; a meter whose registers really restarted is followed
# after 3 telegrams that agree with each other. Pure core: no machine, network, socket, time, asyncio.
from array import array

from hanport.core.calendar import day_number
from hanport.core.const import const

_METER_TIME = const(26)  # core/fields.py METER_TIME: YYMMDD in value, hhmmss in aux
# Slots of core/fields.py: energy import/export (Wh), reactive energy import/export (varh), and
# the tariff registers import t1-t4, export t1-t4.
SLOTS = (0, 1, 2, 3, 28, 29, 30, 31, 32, 33, 34, 35)
# 3 phases x 250 V x 200 A = 150 kW: above any home or farm connection (Swedish homes: 16-63 A).
# Per second: 150,000 W / 3,600 = 42 Wh, as an integer that stays a small int on 32 bits.
_MAX_WH_PER_S = const(42)
_SLACK = const(1000)  # register resolution (a Kamstrup counts in 10 Wh, some meters in 0.1 kWh)
_MAX_S = const(10000000)  # 115 days: beyond that any growth is believable
_CONFIRM = const(3)  # telegrams in a row that agree on a restarted register set


class EnergyGuard:
    def __init__(self):
        n = len(SLOTS)
        self.last = array("i", bytes(4 * n))  # the last published values
        self.known = bytearray(n)
        self.since_ms = 0  # since the last published telegram
        self.last_date = -1  # its meter date (YYMMDD) and clock (hhmmss), when it sent them
        self.last_clock = 0
        self.candidate = array("i", bytes(4 * n))  # rejected values that may be a restart
        self.candidate_known = bytearray(n)
        self.candidate_count = 0
        self.candidate_ms = 0
        self.rejected = 0
        self.restarts = 0
        # the last rejection: (field slot, before, after); read by the support bundle
        self.last_slot = -1
        self.last_before = 0
        self.last_after = 0

    def _plausible(self, reading, values, known, elapsed_ms, remember):
        seconds = elapsed_ms // 1000 + 1
        limit = _SLACK + _MAX_WH_PER_S * (seconds if seconds < _MAX_S else _MAX_S)
        present = reading.present
        value = reading.value
        for i in range(len(SLOTS)):
            slot = SLOTS[i]
            if present[slot] and known[i]:
                step = value[slot] - values[i]
                if step < 0 or step > limit:
                    if remember:
                        self.last_slot, self.last_before, self.last_after = slot, values[i], value[slot]
                    return False
        return True

    def _take(self, reading, values, known):
        for i in range(len(SLOTS)):
            if reading.present[SLOTS[i]]:
                values[i] = reading.value[SLOTS[i]]
                known[i] = 1

    def _meter_ms(self, reading):
        """Milliseconds of the meter's own clock since the last published telegram (0 when it
        went back, e.g. summer to winter time; -1 without a clock). A replayed capture or the
        test's fast virtual meter runs the meter's clock faster than the wall's."""
        if self.last_date < 0 or not reading.present[_METER_TIME]:
            return -1
        date = reading.value[_METER_TIME]
        clock = reading.aux[_METER_TIME]
        last = self.last_date
        days = day_number(date // 10000, date // 100 % 100, date % 100) - day_number(last // 10000, last // 100 % 100, last % 100)
        if days > 100:
            return 100 * 86400000  # the limit is reached long before: no large ints on 32 bits
        seconds = days * 86400 + _seconds(clock) - _seconds(self.last_clock)
        return seconds * 1000 if seconds > 0 else 0

    def check(self, reading, elapsed_ms):
        """True when reading may be published (then it is the new reference). elapsed_ms: since
        the previous telegram, published or not, by the wall clock; the meter's clock counts
        when it says more. Allocation-free."""
        self.since_ms += elapsed_ms
        self.candidate_ms += elapsed_ms
        meter_ms = self._meter_ms(reading)
        if self._plausible(reading, self.last, self.known, meter_ms if meter_ms > self.since_ms else self.since_ms, True):
            return self._accept(reading)
        self.rejected += 1
        if self.candidate_count and self._plausible(reading, self.candidate, self.candidate_known, self.candidate_ms, False):
            self.candidate_count += 1
        else:
            self.candidate_count = 1
            for i in range(len(SLOTS)):
                self.candidate_known[i] = 0
        self._take(reading, self.candidate, self.candidate_known)
        self.candidate_ms = 0
        if self.candidate_count < _CONFIRM:
            return False
        # The meter's registers restarted (a replaced or reset meter): follow them from here.
        self.restarts += 1
        self.rejected -= 1
        return self._accept(reading)

    def _accept(self, reading):
        """reading is published: the new reference, its meter clock too (none: the wall's)."""
        self._take(reading, self.last, self.known)
        self.since_ms = 0
        self.last_date = reading.value[_METER_TIME] if reading.present[_METER_TIME] else -1
        self.last_clock = reading.aux[_METER_TIME]
        self.candidate_count = 0
        return True

    def status(self):
        out = {"rejected": self.rejected, "restarts": self.restarts}
        if self.last_slot >= 0:
            from hanport.core.fields import FIELDS

            out["last"] = {"field": FIELDS[self.last_slot][0], "before": self.last_before, "after": self.last_after}
        return out


def _seconds(hhmmss):
    return hhmmss // 10000 * 3600 + hhmmss // 100 % 100 * 60 + hhmmss % 100
