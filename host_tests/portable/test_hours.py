# The status page's hours on both runtimes: the hourly ring keeps delivered snapshots for the
# page (and only there), and GET /api/hours's table equals the energy the generator integrated
# between the first telegrams of consecutive hours; gaps, late snapshots, summer time, bad registers.
from hanport.core.p1.decoder import Decoder
from hanport.svc.hourly import CAP, KEEP_FOR_PAGE, HourlyRing
from hanport.svc.hours import HOURS, table
from hanport.svc.hub import Hub
from telegen import SwedishMeter


def _feed(ring_keep, channels, hours, interval=3600):
    """A ring fed `hours` hours of generated telegrams; returns (hub, ring, truths) where truths
    holds the generator's meter time and energy registers of every telegram sent, in order."""
    hub = Hub("t", "0")
    ring = HourlyRing(None, channels, ring_keep)
    hub.listeners.append(ring.on_telegram)
    dec = Decoder(lambda reading, framer: reading is not None and hub.telegram(reading))
    meter = SwedishMeter(seed=3, interval=interval)
    truths = []
    for _ in range(hours * 3600 // interval):
        dec.feed(meter.telegram())
        t = meter.truth
        truths.append({k: t[k] for k in ("meter_time", "energy_import_wh", "energy_export_wh")})  # 32-bit VM heap
    return hub, ring, truths


def _first_of_each_hour(truths):
    out = {}
    for t in truths:
        hour = t["meter_time"][:13] + ":00"
        if hour not in out:
            out[hour] = t
    return out


def test_delivered_rows_stay_for_the_page_only_where_there_is_one():
    hub, ring, _ = _feed(3, ("mqtt",), 7)
    assert len(ring.rows) == 6  # the boot hour has no snapshot at its start
    for snap in ring.pending("mqtt"):
        ring.ack("mqtt", snap)
    assert len(ring.rows) == 3 and ring.pending("mqtt") == [] and ring.dropped == 0
    assert [r[0] % 100 for r in ring.rows] == [(ring.last_key - 2 + k) % 100 for k in range(3)]  # the newest three
    hub, ring, _ = _feed(0, ("mqtt",), 7)  # no page: delivered rows go at once, as before
    for snap in ring.pending("mqtt"):
        ring.ack("mqtt", snap)
    assert ring.rows == []
    hub, ring, _ = _feed(KEEP_FOR_PAGE, (), 70)  # a page and no outputs: the page's hours, nothing lost
    assert len(ring.rows) == KEEP_FOR_PAGE and ring.dropped == 0
    hub, ring, _ = _feed(KEEP_FOR_PAGE, ("mqtt",), 70)  # an output that never answers: only undelivered are counted
    assert len(ring.rows) == CAP and ring.dropped == 69 - CAP


def test_hours_equal_the_energy_between_the_hours_first_telegrams():
    hub, ring, truths = _feed(KEEP_FOR_PAGE, ("mqtt",), 60, interval=1800)  # two telegrams an hour
    for snap in ring.pending("mqtt"):
        ring.ack("mqtt", snap)
    hours = table(ring.rows, hub.reading)
    firsts = _first_of_each_hour(truths)
    keys = sorted(firsts)
    assert len(hours) == HOURS + 1 and hours[-1][0] == keys[-1] and hours[0][0] == keys[-1 - HOURS]
    for hour, imported, exported, partial in hours[:-1]:
        after = firsts[keys[keys.index(hour) + 1]]
        assert imported == after["energy_import_wh"] - firsts[hour]["energy_import_wh"], hour
        assert exported == after["energy_export_wh"] - firsts[hour]["energy_export_wh"], hour
        assert partial is False
    hour, imported, exported, partial = hours[-1]  # the open hour, up to the latest telegram
    assert partial is True and imported == truths[-1]["energy_import_wh"] - firsts[hour]["energy_import_wh"]
    assert exported == truths[-1]["energy_export_wh"] - firsts[hour]["energy_export_wh"]
    assert table(ring.rows, None)[-1][0] == keys[-2]  # no fresh reading: no open hour


def _row(key, clock, imported, exported=0):
    return [key, key // 100, clock, imported, exported, -1, -1, 1]


def test_gaps_late_snapshots_summer_time_and_bad_registers():
    rows = [
        _row(26011410, 100000, 1000),
        _row(26011411, 110005, 1500),  # on time: hour 10 whole
        _row(26011412, 122000, 2500),  # 20 minutes late (dongle off at 12:00): hours 11 and 12 partial
        _row(26011413, 130000, 2600),
        _row(26011416, 160010, 4000),  # off from 13:xx to 16:00: hours 13-15 unknown, left out
        _row(26011417, 170000, 4100),
    ]
    assert table(rows, None) == [
        ["2026-01-14T10:00", 500, 0, False],
        ["2026-01-14T11:00", 1000, 0, True],
        ["2026-01-14T12:00", 100, 0, True],
        ["2026-01-14T16:00", 100, 0, False],
    ]
    # Summer time starts on the last Sunday of March (2026-03-29): 01:59:59 W is followed by 03:00 S.
    spring = [_row(26032901, 10000, 100), _row(26032903, 30000, 900), _row(26032904, 40000, 1000)]
    assert [h[:2] for h in table(spring, None)] == [["2026-03-29T01:00", 800], ["2026-03-29T03:00", 100]]
    other_day = [_row(26032201, 10000, 100), _row(26032203, 30000, 900)]  # a Sunday a week before: a gap
    assert table(other_day, None) == []
    # Registers not sent (-1), or going backwards (a new meter): not known rather than wrong.
    bad = [_row(26011410, 100000, 1000, -1), _row(26011411, 110000, 900, 7), _row(26011412, 120000, 1000, 9)]
    assert table(bad, None) == [["2026-01-14T10:00", None, None, False], ["2026-01-14T11:00", 100, 2, False]]
    assert table([], None) == []
