# Effekttariff on both runtimes: synthetic months with known answers for every preset — the
# distinct-day rule, night weighting, holiday and weekday windows, separate sets, DST in March
# and October, month rollover, a reboot in the middle of an hour, a 3-hour meter silence, and
# the headroom for the open hour. Meter clock and registers are fed as a meter sends them.
from hanport.core.calendar import day_number, easter, swedish_holidays, weekday
from hanport.core.tariff.billing import PeakTracker, schedule_for
from hanport.core.tariff.periods import Periods
from telegen import swedish_local

BASE_W = 1000


def readings(y, m, power, step_s=900, skip=None, months=1):
    """Yields (yymmdd, hhmmss, dst, import_wh) every step_s (at +5 s) through `months` months of
    Swedish local time, plus the first reading after the last one's month; power(y, m, d, h)
    gives the import W of each local hour (a multiple of 4, so energy stays exact in Wh)."""
    start = (day_number(y, m, 1) - 1) * 86400 + 22 * 3600 + 5  # before local midnight in any season
    end_y, end_m = y + (m + months - 2) // 12, (m + months - 2) % 12 + 1
    wh = 10000000
    utc = start
    while True:
        stamp, dst = swedish_local(utc)
        ly, lm = 2000 + int(stamp[0:2]), int(stamp[2:4])
        hh = int(stamp[6:8])
        if (ly, lm) > (end_y, end_m):
            yield int(stamp[0:6]), int(stamp[6:12]), 1 if dst == "S" else 0, wh
            return
        if (ly, lm) >= (y, m) and not (skip and skip(ly, lm, int(stamp[4:6]), hh)):
            yield int(stamp[0:6]), int(stamp[6:12]), 1 if dst == "S" else 0, wh
        wh += power(ly, lm, int(stamp[4:6]), hh) * step_s // 3600
        utc += step_s


def until(feed, yymmdd, hhmmss):
    """The readings up to and including the one at that meter time."""
    for r in feed:
        yield r
        if r[0] == yymmdd and r[1] == hhmmss:
            return


class Closed:
    """What closed: counts and energy, and the gaps themselves (few long-lived objects: the
    MicroPython heap fragments when thousands of small ones live among the garbage)."""

    def __init__(self):
        self.complete = 0
        self.wh = 0
        self.gaps = []


# Shapes once published by operators whose own pages could not be read for a dated source:
# kept as custom rules, which is how their customers enter them (docs/effekttariff.md).
ELLEVIO_SHAPE = "top=3 days night=22-6*1/2"
FIVE_DATES = "top=5 days"


def tracker_of(preset):
    """A preset by name, or a custom rule's words."""
    if "=" in preset:
        return PeakTracker("custom", schedule_for("custom", preset))
    return PeakTracker(preset)


def run(preset, feed, span=None):
    """Months finished, in order, plus the open one. span: a list that gets the first and last
    register seen (energy conservation checks)."""
    tracker = tracker_of(preset)
    p = Periods(tracker.period_min)
    months = []
    closed = Closed()
    for yymmdd, hhmmss, dst, wh in feed:
        if span is not None:
            if not span:
                span.extend((wh, wh))
            span[1] = wh
        if p.feed(yymmdd, hhmmss, dst, wh, 0):
            closed.wh += p.closed_import_wh
            if p.closed_complete:
                closed.complete += 1
            else:
                closed.gaps.append((p.closed_minutes, p.closed_import_wh))
            done = tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            if done is not None:
                months.append(done)
    months.append(tracker.result())
    return months, closed, tracker, p


def peaks_of(result):
    return [(x["start"], x["avg_w"], str(x["weight"])) for x in result["peaks"]]


def with_peaks(table, base=BASE_W):
    return lambda y, m, d, h: table.get((m, d, h), base)


def test_calendar():
    assert easter(2024) == (3, 31) and easter(2025) == (4, 20) and easter(2026) == (4, 5) and easter(2038) == (4, 25)
    assert weekday(2026, 11, 28) == 5 and weekday(1970, 1, 1) == 3
    h = swedish_holidays(2026)
    for md in ((1, 1), (1, 6), (4, 3), (4, 6), (5, 1), (5, 14), (6, 6), (6, 19), (6, 20), (10, 31), (12, 24), (12, 25), (12, 31)):
        assert day_number(2026, *md) in h, md
    assert day_number(2026, 4, 7) not in h and len(h) == 16


def test_max1_is_the_single_highest_hour():
    span = []
    months, closed, _, _ = run("max1", readings(2026, 1, with_peaks({(1, 14, 17): 6124, (1, 20, 8): 5000})), span)
    assert len(months) == 1 and months[0]["month"] == "2026-01"  # February has no closed hour yet
    assert peaks_of(months[0]) == [("2026-01-14T17:00:00", 6124, "1.0")] and months[0]["billed_w"] == 6124
    assert "partial_periods" not in months[0]  # every hour seen at its boundaries
    assert closed.complete == 31 * 24 and closed.wh == span[1] - span[0]  # every hour, nothing lost


def test_distinct_days_and_five_dates():
    # Two big hours on 3 Jan: only the larger counts for goteborg (3 distinct days).
    table = {(1, 3, 9): 9000, (1, 3, 18): 8800, (1, 10, 12): 7000, (1, 11, 12): 6000, (1, 12, 12): 5000, (1, 13, 12): 4000}
    months, _, _, _ = run("goteborg", readings(2026, 1, with_peaks(table)))
    assert [p[:2] for p in peaks_of(months[0])] == [
        ("2026-01-03T09:00:00", 9000),
        ("2026-01-10T12:00:00", 7000),
        ("2026-01-11T12:00:00", 6000),
    ]
    assert months[0]["billed_w"] == (9000 + 7000 + 6000) // 3
    months, _, _, _ = run(FIVE_DATES, readings(2026, 1, with_peaks(table)))
    assert [p[1] for p in peaks_of(months[0])] == [9000, 7000, 6000, 5000, 4000] and months[0]["billed_w"] == 6200
    months, _, _, _ = run("max1", readings(2026, 1, with_peaks(table)))
    assert months[0]["billed_w"] == 9000


def test_ellevio_night_hours_count_half():
    # 23:00 at 8000 W counts as 4000; 05:00 at 9000 as 4500; the day hours rank above them.
    table = {(1, 5, 23): 8000, (1, 6, 5): 9000, (1, 7, 17): 5000, (1, 8, 17): 4800, (1, 9, 12): 4400}
    months, _, _, _ = run(ELLEVIO_SHAPE, readings(2026, 1, with_peaks(table)))
    assert peaks_of(months[0]) == [
        ("2026-01-07T17:00:00", 5000, "1.0"),
        ("2026-01-08T17:00:00", 4800, "1.0"),
        ("2026-01-06T05:00:00", 9000, "0.5"),
    ]
    assert months[0]["billed_w"] == (5000 + 4800 + 4500 + 1) // 3


def test_sollentuna_weekdays_07_19_without_holidays():
    # 6 Jan (Tuesday) is trettondedag jul; 10 Jan a Saturday; 19:00 is outside 07-19.
    table = {
        (1, 6, 12): 9000,
        (1, 10, 12): 8800,
        (1, 12, 19): 8600,
        (1, 12, 6): 8400,
        (1, 13, 7): 3000,
        (1, 14, 18): 2800,
        (1, 15, 10): 2600,
    }
    months, _, _, _ = run("sollentuna", readings(2026, 1, with_peaks(table)))
    assert [p[:2] for p in peaks_of(months[0])] == [
        ("2026-01-13T07:00:00", 3000),
        ("2026-01-14T18:00:00", 2800),
        ("2026-01-15T10:00:00", 2600),
    ]


def test_malarenergi_two_sets():
    table = {(1, 12, 8): 7000, (1, 13, 8): 6000, (1, 14, 8): 5000, (1, 17, 12): 9000, (1, 12, 21): 8000, (1, 13, 21): 2000}
    months, _, _, _ = run("malarenergi", readings(2026, 1, with_peaks(table)))
    got = [(x["set"], x["start"], x["avg_w"]) for x in months[0]["peaks"]]
    assert got[:3] == [
        ("high", "2026-01-12T08:00:00", 7000),
        ("high", "2026-01-13T08:00:00", 6000),
        ("high", "2026-01-14T08:00:00", 5000),
    ]
    assert got[3:5] == [("low", "2026-01-17T12:00:00", 9000), ("low", "2026-01-12T21:00:00", 8000)]
    assert months[0]["billed_w"] == {"high": 6000, "low": (9000 + 8000 + 2000 + 1) // 3}
    # June: no high season at all, everything is "low".
    months, _, _, _ = run("malarenergi", readings(2026, 6, with_peaks({(6, 10, 8): 7000})))
    assert months[0]["billed_w"]["high"] == 0 and months[0]["billed_w"]["low"] == (7000 + 2 * BASE_W + 1) // 3


def test_dst_changes_in_march_and_october():
    months, closed, _, _ = run("max1", readings(2026, 3, with_peaks({(3, 29, 3): 5000})))
    assert closed.complete == 31 * 24 - 1 and not closed.gaps  # 01:00 W -> 03:00 S is adjacent
    assert peaks_of(months[0]) == [("2026-03-29T03:00:00", 5000, "1.0")]
    months, closed, _, _ = run("max1", readings(2026, 10, with_peaks({(10, 25, 2): 4000})))
    assert closed.complete == 31 * 24 + 1 and not closed.gaps  # 02:00 twice, both whole
    assert months[0]["peaks"][0]["start"] == "2026-10-25T02:00:00"


def test_month_rollover_over_a_year_end():
    table = {(12, 30, 18): 7000, (1, 2, 18): 6000}
    months, _, _, _ = run("max1", readings(2026, 12, with_peaks(table), months=2))
    assert [(x["month"], x["billed_w"]) for x in months[:2]] == [("2026-12", 7000), ("2027-01", 6000)]


def test_reboot_mid_hour_keeps_the_hour_whole_when_restored():
    for restored in (True, False):
        tracker = PeakTracker("max1")
        p = Periods(60)
        saved = None
        feed = readings(2026, 1, with_peaks({(1, 14, 17): 6000}, base=1200), step_s=300)  # W: multiples of 12
        for yymmdd, hhmmss, dst, wh in feed:
            if yymmdd == 260114 and 1720 <= hhmmss // 100 < 1745:
                if saved is None:
                    saved = p.state()
                    p = Periods(60)  # the reboot: a new object, 25 minutes without telegrams
                    if restored:
                        assert p.restore(saved)
                continue
            if p.feed(yymmdd, hhmmss, dst, wh, 0):
                tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
        result = tracker.result()
        if restored:
            assert peaks_of(result) == [("2026-01-14T17:00:00", 6000, "1.0")] and "partial_periods" not in result
        else:
            assert result["billed_w"] == 1200 and result["partial_periods"] == 1  # not invented
    assert not Periods(60).restore([1, 2]) and not Periods(60).restore("x")


def test_three_hour_silence_is_one_marked_gap():
    silent = lambda y, m, d, h: (m, d) == (1, 20) and 13 <= h < 16  # noqa: E731
    span = []
    months, closed, _, _ = run("max1", readings(2026, 1, with_peaks({(1, 20, 14): 9000, (1, 21, 9): 3000}), skip=silent), span)
    gaps = closed.gaps
    assert len(gaps) == 1 and gaps[0][0] == 240  # 12:00 until 16:00 in one piece, never spread
    assert gaps[0][1] == BASE_W * 3 + 9000  # 12:00-16:00: 12, 13 (silent), 14 (9000 W), 15
    assert months[0]["billed_w"] == 3000 and months[0]["partial_periods"] == 1  # the unseen peak is not invented
    assert closed.wh == span[1] - span[0]


def test_headroom_for_the_open_hour():
    table = {(1, 5, 17): 6000, (1, 6, 17): 5000, (1, 7, 17): 4000}
    _, _, tracker, p = run("goteborg", until(readings(2026, 1, with_peaks(table)), 260108, 120005))
    day, minute = p.day, p.minute
    # 12:00 on 8 Jan just opened, nothing used: the hour may average 4000 W (the third peak).
    assert tracker.headroom_w(day, minute, 0, 5) == 4000 * 3600 // 3595
    # Half the hour gone with 1500 Wh used: 2500 Wh left for 1800 s = 5000 W.
    assert tracker.headroom_w(day, minute, 1500, 1800) == 5000
    assert tracker.headroom_w(day, minute, 4500, 1800) == 0  # already past: no room
    # ellevio at 23:00 counts half: the same 4000 W limit allows 8000 W real.
    _, _, tracker, p = run(ELLEVIO_SHAPE, until(readings(2026, 1, with_peaks(table)), 260108, 120005))
    assert tracker.headroom_w(day, 23 * 60, 0, 0) == 8000
    _, _, tracker, p = run("sollentuna", until(readings(2026, 1, with_peaks(table)), 260108, 120005))
    assert tracker.headroom_w(day, 6 * 60, 0, 0) is None  # 06:00 is outside the window


class _Hub:
    """What PeakService reads from the hub: the decoder's Reading."""

    def __init__(self):
        self.reading = None


def _telegrams(stamps):
    """(meter time 'YYMMDDhhmmssW', import Wh, power W) -> decoded Readings, one by one."""
    from hanport.core.p1.decoder import Decoder
    from support import telegram

    got = []
    decoder = Decoder(lambda reading, framer: got.append(reading))  # one Reading, reused as on the device
    for stamp, wh, w in stamps:
        del got[:]
        kwh = "%08d.%03d" % (wh // 1000, wh % 1000)
        lines = [
            "0-0:1.0.0(%s)" % stamp,
            "1-0:1.8.0(%s*kWh)" % kwh,
            "1-0:2.8.0(00000000.000*kWh)",
            "1-0:1.7.0(%02d.%03d*kW)" % (w // 1000, w % 1000),
        ]
        decoder.feed(telegram(lines))
        yield got[0]


def test_service_survives_a_reboot_and_writes_once_per_period():
    from hanport.svc.peaks import PeakService
    from hanport.svc.store import JsonStore
    from support import tmpdir

    store = JsonStore(tmpdir("peaksvc") + "/peaks.json", 8192)
    hub = _Hub()
    service = PeakService("max1", store, lambda text: None)
    before = [("260114160005W", 1000000, 2000), ("260114170005W", 1002000, 6000), ("260114172005W", 1004000, 6000)]
    for reading in _telegrams(before):
        hub.reading = reading
        service.on_telegram(hub)
    assert store.writes == 1  # the 16:00 hour closed once; nothing written mid-hour
    live = service.status()["period"]
    assert live["start"] == "2026-01-14T17:00:00" and live["used_wh"] == 2000 and live["elapsed_s"] == 1205
    # 2000 Wh in 1205 s, then 6 kW for the remaining 2395 s: 2000 + 3992 Wh over the hour
    assert live["projected_w"] == (2000 * 3600 + 6000 * 2395) // 3600
    assert live["headroom_w"] == 0  # the month's peak is 2000 W (16:00): those 2000 Wh are used up already
    # Power cut; the dongle comes back at 17:45 with the state from flash.
    service = PeakService("max1", store, lambda text: None)
    after = [("260114174505W", 1006500, 6000), ("260114180005W", 1008000, 1000), ("260114190005W", 1009000, 1000)]
    for reading in _telegrams(after):
        hub.reading = reading
        service.on_telegram(hub)
    result = service.status()
    assert [(p["start"], p["avg_w"]) for p in result["peaks"]] == [
        ("2026-01-14T17:00:00", 6000)
    ] and "partial_periods" not in result
    assert store.writes == 3
    # Another preset's file is not taken for this one's.
    assert PeakService("sollentuna", store, lambda text: None).tracker.month is None


def test_quarter_hours_and_a_winter_season_rule():
    # A 15-minute rule for the high season only (Nov-Mar), top 2 on distinct days.
    tracker = tracker_of("period=15 winter: top=2 days months=11-3")
    p = Periods(15)
    quarters = 0
    # 14 Jan: 17:00-17:15 at 8000 W, 17:15-17:30 at 4000 W; 15 Jan: 09:30-09:45 at 6000 W.
    power = {(14, 17, 0): 8000, (14, 17, 15): 4000, (15, 9, 30): 6000}
    wh = 500000
    for day in (14, 15):
        for q in range(96):
            h, mi = q // 4, q % 4 * 15
            if p.feed(260100 + day, h * 10000 + mi * 100 + 5, 0, wh, 0):
                quarters += 1
                tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            wh += power.get((day, h, mi), 1000) // 4  # 15 minutes at that power
    assert quarters == 2 * 96 - 1
    result = tracker.result()
    assert [(x["start"], x["avg_w"]) for x in result["peaks"]] == [("2026-01-14T17:00:00", 8000), ("2026-01-15T09:30:00", 6000)]
    assert result["billed_w"] == 7000
    # Headroom over a quarter: 14 Jan's 8000 W peak may be matched, at 1000 Wh a quarter.
    assert tracker.headroom_w(day_number(2026, 1, 14), 18 * 60, 1000, 450) == 8000
    assert tracker_of("period=15 w: top=1 months=11").headroom_w(day_number(2026, 1, 14), 0, 0, 0) is None


def test_meters_without_a_clock_use_ntp_time_in_swedish_local_time():
    from hanport.core.calendar import swedish_time
    from hanport.svc.peaks import PeakService

    # The generator's own clock conversion (tools/telegen.py) is the independent reference.
    for base in (day_number(2026, 3, 29) * 86400, day_number(2026, 10, 25) * 86400, day_number(2027, 1, 1) * 86400 - 7200):
        for utc in range(base, base + 4 * 3600, 600):
            stamp, flag = swedish_local(utc)
            assert swedish_time(utc) == (int(stamp[0:6]), int(stamp[6:12]), 1 if flag == "S" else 0), utc
    clock = [day_number(2026, 1, 14) * 86400 + 15 * 3600 + 5]  # 16:00:05 Swedish winter time
    hub = _Hub()
    service = PeakService("max1", None, lambda text: None, lambda: clock[0])
    got = []
    from hanport.core.p1.decoder import Decoder
    from support import telegram

    decoder = Decoder(lambda reading, framer: got.append(reading))
    for wh in (1000000, 1003000, 1004000):  # no 0-0:1.0.0 line: the clock comes from NTP
        del got[:]
        decoder.feed(telegram(["1-0:1.8.0(%08d.%03d*kWh)" % (wh // 1000, wh % 1000)]))
        hub.reading = got[0]
        service.on_telegram(hub)
        clock[0] += 3600
    assert [(p["start"], p["avg_w"]) for p in service.status()["peaks"]] == [("2026-01-14T16:00:00", 3000)]
    blind = PeakService("max1", None, lambda text: None, lambda: None)  # NTP has not set the clock yet
    blind.on_telegram(hub)
    assert blind.periods.key == -1 and "period" not in blind.status()  # nothing is guessed
