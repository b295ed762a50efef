# Hour/quarter energy from the registers (1.8.0, 2.8.0): the difference between the first
# telegrams at or after a period's start and end, in meter local time with its W/S flag. Late
# boundary telegrams (dongle off, meter silent) make one partial period spanning the gap, never
# spread over hours it cannot know. Allocation-free per telegram. Pure core: no machine/time.
from hanport.core.calendar import day_number
from hanport.core.const import const

ON_TIME_S = const(60)  # a boundary telegram within this many seconds counts as "at" the boundary
_SUMMER = const(1)  # core/reading.py DST_SUMMER: the meter's "S" flag


class Periods:
    """feed() each telegram's clock and registers; it returns True when a period (or a gap)
    has closed, described by the closed_* attributes until the next call."""

    def __init__(self, period_min=60):
        if period_min not in (15, 60):
            raise ValueError("period_min: 15 or 60")
        self.period_min = period_min
        self.key = -1  # start of the open period in UTC minutes (-1: none yet)
        self.day = 0  # its local day number, minute of day and DST flag
        self.minute = 0
        self.dst = 0
        self.start_import = 0
        self.start_export = 0
        self.start_on_time = False
        self.elapsed_s = 0  # seconds into the open period at the last telegram
        self.closed_day = 0
        self.closed_minute = 0
        self.closed_minutes = 0  # length: period_min, or more for a gap
        self.closed_import_wh = 0
        self.closed_export_wh = 0
        self.closed_complete = False  # both boundaries on time and no gap: a peak candidate

    def feed(self, yymmdd, hhmmss, dst, import_wh, export_wh):
        day = day_number(2000 + yymmdd // 10000, yymmdd // 100 % 100, yymmdd % 100)  # no tuple: no allocation
        minute = hhmmss // 10000 * 60 + hhmmss // 100 % 100
        p = self.period_min
        start = minute - minute % p
        # Swedish meters send local time with W (CET, UTC+1) or S (CEST, UTC+2): the key in UTC
        # keeps the repeated October hour apart and makes the March jump adjacent.
        key = day * 1440 + start - (120 if dst == _SUMMER else 60)
        self.elapsed_s = (minute - start) * 60 + hhmmss % 100
        if key == self.key:
            return False
        on_time = self.elapsed_s <= ON_TIME_S
        closed = False
        if self.key >= 0 and key > self.key:
            self.closed_day = self.day
            self.closed_minute = self.minute
            self.closed_minutes = key - self.key
            self.closed_import_wh = import_wh - self.start_import
            self.closed_export_wh = export_wh - self.start_export
            self.closed_complete = self.start_on_time and on_time and key - self.key == p
            closed = True
        # (a clock that went backwards, e.g. a meter reset, just starts afresh)
        self._open(key, day, start, dst, import_wh, export_wh, on_time)
        return closed

    def _open(self, key, day, minute, dst, import_wh, export_wh, on_time):
        self.key = key
        self.day = day
        self.minute = minute
        self.dst = dst
        self.start_import = import_wh
        self.start_export = export_wh
        self.start_on_time = on_time

    def state(self):
        """The open period, to survive a reboot (saved once per period)."""
        return [self.key, self.day, self.minute, self.dst, self.start_import, self.start_export, 1 if self.start_on_time else 0]

    def restore(self, state):
        """Take back a saved open period; ignored when malformed."""
        if isinstance(state, list) and len(state) == 7:
            for v in state:
                if not isinstance(v, int):
                    return False
            self._open(state[0], state[1], state[2], state[3], state[4], state[5], state[6] == 1)
            return True
        return False

    def used_wh(self, import_wh):
        """Import energy of the open period so far."""
        return import_wh - self.start_import if self.key >= 0 else 0
