# The status page's hours (GET /api/hours): energy per hour of the meter clock, the difference
# between the hourly ring's register snapshots (svc/hourly.py) for up to 48 hours, and the open
# hour up to the latest reading. Arithmetic on the ring's rows only: loaded by svc/site.py.
# Imports core only.
from hanport.core.calendar import day_number, weekday
from hanport.core.const import const
from hanport.core.fields import ENERGY_IMPORT, METER_TIME
from hanport.core.reading import format_time

HOURS = const(48)  # closed hours before the open one: today and yesterday on the page
# A snapshot taken later than hh:01:00 was not taken at the boundary: the dongle was off or the
# meter silent then (Swedish meters send every 10 s, so the first telegram of an hour is at
# hh:00:10 at the latest), and the hours on either side hold a part of their energy only.
_LATE_MMSS = const(100)
FIELDS = ("hour", "import_wh", "export_wh", "partial")


def _index(key):
    """YYMMDDHH -> hours since 1970 (meter local time: no time zone, as the meter counts)."""
    date = key // 100
    return day_number(2000 + date // 10000, date // 100 % 100, date % 100) * 24 + key % 100


def _follows(key, next_key):
    """next_key is the hour after key on the meter's clock. Summer time starts at 02:00 on the
    last Sunday of March (the Swedish meters' clock, branschrekommendation: local time with
    W/S): that night hour 01 is followed by 03. (When it ends in October, hour 02 comes twice
    and its row holds both: the ring keys rows by the clock's hour.)"""
    if _index(next_key) - _index(key) == 1:
        return True
    date = key // 100
    month, day = date // 100 % 100, date % 100
    return key % 100 == 1 and next_key == key + 2 and month == 3 and day >= 25 and weekday(2000 + date // 10000, month, day) == 6


def _used(before, after):
    """Register difference, or None when a register was not sent or went backwards (a new meter)."""
    if before < 0 or after < 0 or after < before:
        return None
    return after - before


def table(rows, reading):
    """[[hour "YYYY-MM-DDTHH:00", import Wh, export Wh, partial], ...] oldest first. rows: the
    ring's rows [YYMMDDHH, date, clock, import, export, ...]; reading: the latest fresh Reading
    or None. An hour without a snapshot at both ends is left out (its energy is not known)."""
    now_key = -1
    if reading is not None and reading.present[METER_TIME]:
        now_key = reading.value[METER_TIME] * 100 + reading.aux[METER_TIME] // 10000
    out = []
    n = len(rows)
    oldest = _index(rows[-1][0]) - HOURS if n else 0
    for i in range(n):
        start = rows[i]
        key = start[0]
        if _index(key) < oldest:
            continue
        if i + 1 < n:
            end = rows[i + 1]
            if not _follows(key, end[0]):
                continue  # a gap: the dongle was off or the meter silent for a whole hour
            partial = start[2] % 10000 > _LATE_MMSS or end[2] % 10000 > _LATE_MMSS
            after_import, after_export = end[3], end[4]
        elif key == now_key:  # the open hour, so far
            partial = True
            after_import = reading.value[ENERGY_IMPORT] if reading.present[ENERGY_IMPORT] else -1
            after_export = reading.value[ENERGY_IMPORT + 1] if reading.present[ENERGY_IMPORT + 1] else -1
        else:
            continue
        hour = format_time(key // 100, key % 100 * 10000)[:16]
        out.append([hour, _used(start[3], after_import), _used(start[4], after_export), partial])
    return out
