# The operators' presets (hanport/core/tariff/presets) on both runtimes: every one has its sources, read dates
# and valid-from dates; every one bills synthetic months with planted peaks exactly as an
# independent calculation in this file says (March and October with their DST change, a public
# holiday in a high-load window, a rule change between two months); fees in whole öre.
from hanport.core.calendar import day_number, swedish_holidays, weekday
from hanport.core.tariff.billing import PeakTracker, fee_ore, schedule_for
from hanport.core.tariff.periods import Periods
from hanport.core.tariff.presets import NAMES, load
from hanport.core.tariff.rulewords import describe, parse
from test_peaks import readings

BASE_W = 1000


def _is_date(text, first_of_month=False):
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isdigit():
        return False
    y, m, d = int(text[:4]), int(text[5:7]), int(text[8:])
    return 2000 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31 and (d == 1 or not first_of_month)


def test_every_preset_is_sourced_and_dated():
    assert len(NAMES) >= 7 and NAMES[0] == "max1"
    for name in NAMES:
        module = __import__("hanport.core.tariff.presets." + name, None, None, ["RULES"])
        assert module.RULES and module.NOTE, name
        starts = [entry[0] for entry in module.RULES]
        for start, text, parsed, words in module.RULES:  # stored parsed: the same as parsing now
            rule, err = parse(text)
            assert err is None and rule == parsed and describe(rule) == words, (name, start)
        assert starts == sorted(starts) and all(_is_date(s, True) for s in starts), name
        if name == "max1":  # the generic default: no operator, so no source
            assert module.OPERATOR is None and module.SOURCES == ()
            continue
        assert module.OPERATOR and module.SOURCES, name
        for url, read in module.SOURCES:
            assert url.startswith("https://") and " " not in url, (name, url)
            assert _is_date(read), (name, read)
        assert load(name)[0] == module.OPERATOR


# --- an independent calculation of what a month bills ------------------------------------------
def _counts(words, y, m, d, h):
    """Does hour h of that day count in a set given as the preset's own words?"""
    if "weekdays" in words and weekday(y, m, d) >= 5:
        return False
    if "noholidays" in words and day_number(y, m, d) in swedish_holidays(y):
        return False
    for w in words:
        if w.startswith("hours="):
            a, b = w[6:].split("-")
            if not int(a) <= h < int(b):
                return False
        if w.startswith("months="):
            a, b = w[7:].split("-")
            a, b = int(a), int(b)
            if not (a <= m <= b if a <= b else m >= a or m <= b):
                return False
    return True


def expected(set_words, other_words, y, m, power, hours_of_month):
    """Mean of the top N (on different days when "days") of the hours that count."""
    words = set_words.split()
    top = 1
    for w in words:
        if w.startswith("top="):
            top = int(w[4:])
    values = []
    for d, h in hours_of_month:
        counts = not _counts(other_words.split(), y, m, d, h) if other_words is not None else _counts(words, y, m, d, h)
        if counts:
            values.append((power(y, m, d, h), d))
    values.sort(reverse=True)
    if "days" in words:
        best = {}
        for w, d in values:
            best.setdefault(d, w)
        values = sorted(((w, d) for d, w in best.items()), reverse=True)
    chosen = [w for w, _ in values[:top]]
    return (sum(chosen) + len(chosen) // 2) // len(chosen) if chosen else 0


def _hours(y, m):
    """(day, hour) of each local hour of the month: 743 in March, 745 in October (the repeated
    02:00 hour counted once per wall-clock hour here: the planted peaks avoid 02:00)."""
    days = day_number(y + m // 12, m % 12 + 1, 1) - day_number(y, m, 1)
    return [(d, h) for d in range(1, days + 1) for h in range(24)]


def month_result(preset, y, m, table):
    tracker = PeakTracker(preset)
    p = Periods(tracker.period_min)

    def power(yy, mm, d, h):
        return table.get((mm, d, h), BASE_W)

    finished = []
    for yymmdd, hhmmss, dst, wh in readings(y, m, power):
        if p.feed(yymmdd, hhmmss, dst, wh, 0):
            done = tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            if done is not None:
                finished.append(done)
    return (finished[0] if finished else tracker.result()), power


def _sets(text):
    """[(name, words, other words or None)] of a rule text (this test's own reading of it)."""
    out = []
    parts = [p.split() for p in text.split(";")]
    names = [p[0][:-1] if p[0].endswith(":") else "set%d" % (i + 1) for i, p in enumerate(parts)]
    for i, words in enumerate(parts):
        other = [w[6:] for w in words if w.startswith("other=")]
        out.append((names[i], " ".join(words), " ".join(parts[names.index(other[0])]) if other else None))
    return out


# Planted peaks: weekday office hours, an evening, a weekend, a holiday, a night hour; each month
# gets them on its own dates (all between 06 and 21, never in the repeated October hour).
def _plants(y, m):
    plants = {}
    first = day_number(y, m, 1)
    wd = weekday(y, m, 1)
    monday = 1 + (7 - wd) % 7  # first Monday
    plants[(m, monday, 8)] = 7400  # weekday 08:00
    plants[(m, monday, 9)] = 7000  # same day: "days" keeps only 7400
    plants[(m, monday + 1, 19)] = 6600  # weekday 19:00: outside 7-19, inside 7-20
    plants[(m, monday + 2, 6)] = 6200  # weekday 06:00: only Karlstad's 6-18
    plants[(m, monday + 5, 12)] = 8200  # Saturday noon: counts only where weekends do
    plants[(m, monday + 8, 17)] = 5400  # next Tuesday 17:00
    plants[(m, monday + 9, 3)] = 9000  # night 03:00
    for d in range(1, 29):
        if first + d - 1 in swedish_holidays(y) and weekday(y, m, d) < 5:
            plants[(m, d, 10)] = 9800  # a weekday holiday in the high-load window
    return plants


def check_preset(name, y, m):
    _, rules = load(name)
    first = day_number(y, m, 1)
    text = [entry[1] for entry in rules if day_number(int(entry[0][:4]), int(entry[0][5:7]), 1) <= first][-1]
    table = _plants(y, m)
    result, power = month_result(name, y, m, table)
    billed = result["billed_w"] if isinstance(result["billed_w"], dict) else {"set1": result["billed_w"]}
    want = {}
    for set_name, words, other in _sets(text):
        want[set_name if len(billed) > 1 else "set1"] = expected(words, other, y, m, power, _hours(y, m))
    assert billed == want, (name, y, m, billed, want)
    return result


def test_every_preset_on_winter_and_dst_months():
    # January 2026 has Epiphany on a Tuesday (6 Jan); March and October change the clock.
    for name in NAMES:
        for y, m in ((2026, 1), (2026, 3), (2025, 10)):
            check_preset(name, y, m)


def test_holiday_in_the_high_load_window_does_not_count_for_telge_and_sollentuna():
    assert day_number(2026, 1, 6) in swedish_holidays(2026) and weekday(2026, 1, 6) == 1
    holidays = ("2026-01-01T10:00:00", "2026-01-06T10:00:00")  # 9,800 W planted on both
    for name in ("telge", "sollentuna"):
        assert not [p for p in check_preset(name, 2026, 1)["peaks"] if p["start"] in holidays], name
    karlstad = check_preset("karlstad", 2026, 1)  # its pages say weekdays, not holidays: they count
    assert [p for p in karlstad["peaks"] if p.get("set") == "high" and p["start"] in holidays]


def test_goteborg_changes_rule_between_january_and_february_2022():
    tracker = PeakTracker("goteborg")
    p = Periods(60)
    table = {(1, 10, 8): 7000, (1, 10, 9): 6000, (1, 11, 8): 5000, (2, 10, 8): 7000, (2, 10, 9): 6000, (2, 11, 8): 5000}
    months = []
    for yymmdd, hhmmss, dst, wh in readings(2022, 1, lambda y, m, d, h: table.get((m, d, h), BASE_W), months=2):
        if p.feed(yymmdd, hhmmss, dst, wh, 0):
            done = tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            if done is not None:
                months.append(done)
    months.append(tracker.result())  # February, still open
    assert [x["month"] for x in months] == ["2022-01", "2022-02"]
    assert months[0]["billed_w"] == 7000  # the single highest hour (from 2021-08-01)
    assert months[1]["billed_w"] == (7000 + 5000 + 1000 + 1) // 3  # 3 highest on 3 different days


def test_months_before_the_first_rule_carry_no_fee():
    tracker = PeakTracker("eskilstuna")
    tracker.add(day_number(2020, 12, 1), 600, 60, 3000, True)
    assert tracker.result()["in_force"] is False and "fee" not in tracker.result()
    tracker.add(day_number(2021, 1, 4), 600, 60, 3000, True)
    assert "in_force" not in tracker.result() and tracker.result()["fee"]["ore"] == 3 * 7000 * 5 // 4


def test_fee_in_ore_exact_both_ways():
    # Sollentuna's own example: a mean of 5.7 kW at 55.75 kr/kW -> 317.78 kr (VAT included).
    assert fee_ore(5700, 5575, True, True) == 31778
    assert fee_ore(5700, 5575, True, False) == 25422  # 254.22 without VAT (317.775 x 4/5)
    assert fee_ore(3125, 7000, False, True) == 27344  # 3.125 kW x 70 kr + 25 %: 273.4375
    assert fee_ore(0, 7000, False, True) == 0
    # A whole month: Sollentuna in January 2026 at 111.50 kr/kW.
    result = check_preset("sollentuna", 2026, 1)
    assert result["fee"]["ore"] == fee_ore(result["billed_w"], 11150, True, True)
    assert str(result["fee"]["sek"]) == "%d.%02d" % divmod(result["fee"]["ore"], 100)
    assert result["fee"]["currency"] == "SEK" and result["fee"]["vat"] is True


def test_user_prices_and_fee_with_two_sets():
    schedule = schedule_for("malarenergi", "", "high=81.25 low=40 excl")
    tracker = PeakTracker("malarenergi", schedule, with_vat=True)
    day = day_number(2026, 1, 13)  # a Tuesday
    tracker.add(day, 8 * 60, 60, 6000, True)  # high-load 08:00
    tracker.add(day, 21 * 60, 60, 4000, True)  # low-load 21:00
    want = fee_ore(6000, 8125, False, True) + fee_ore(4000, 4000, False, True)
    assert tracker.result()["billed_w"] == {"high": 6000, "low": 4000}  # the mean of those so far
    assert tracker.fee_ore() == want == 60938 + 20000
    # what one more 9 kW high-load hour would add: the high mean becomes 7500 W
    assert tracker.fee_ore((9000, day + 1, 9 * 60)) - want == fee_ore(7500, 8125, False, True) - 60938


def test_a_saved_month_comes_back_only_under_the_same_rule():
    def tracker(text):
        return PeakTracker("custom", schedule_for("custom", text))

    first = tracker("top=1")
    first.add(day_number(2026, 1, 13), 480, 60, 5000, True)
    state = first.state()
    assert tracker("top=1").restore(state) and tracker("top=1").restore(dict(state, rule="top=1"))
    assert not tracker("top=2").restore(state)  # the rule changed: the month starts anew
    same = tracker("top=1")
    same.restore(state)
    assert same.result() == first.result()
