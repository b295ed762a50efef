# Effekttariff: the month's power peaks as grid operators bill them. Rules are data (top-N
# periods, distinct days, month/weekday/hour windows, Swedish holidays, night weighting,
# 15/60-minute periods, separate sets), with presets per operator. Fed closed periods from
# core/periods.py; gives the peak list, the billed value and the headroom for the open hour.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.calendar import civil, swedish_holidays
from hanport.core.reading import Fixed

# A set: which periods count ("months", "weekdays_only", "no_holidays", "hours" [from, to)),
# or "other": the periods outside set number N's window; "top" N, "distinct_days", and "night"
# (from_hour, to_hour, num, den): periods starting then count at num/den of their power.
# Each preset's rule and its source are written down in docs/effekttariff.md.
PRESETS = {
    "max1": {"period_min": 60, "sets": ({"name": "month", "top": 1},)},
    "ellevio": {"period_min": 60, "sets": ({"name": "month", "top": 3, "distinct_days": True, "night": (22, 6, 1, 2)},)},
    "goteborg": {"period_min": 60, "sets": ({"name": "month", "top": 3, "distinct_days": True},)},
    "tekniska_verken": {"period_min": 60, "sets": ({"name": "month", "top": 5, "distinct_days": True},)},
    "malarenergi": {
        "period_min": 60,
        "sets": (
            {"name": "high", "top": 3, "months": (11, 12, 1, 2, 3), "weekdays_only": True, "hours": (7, 20)},
            {"name": "low", "top": 3, "other": 0},
        ),
    },
    "sollentuna": {
        "period_min": 60,
        "sets": ({"name": "month", "top": 3, "weekdays_only": True, "no_holidays": True, "hours": (7, 19)},),
    },
}


class _Holidays:
    def __init__(self):
        self.year = 0
        self.days = set()

    def has(self, y, day):
        if y != self.year:
            self.year = y
            self.days = swedish_holidays(y)
        return day in self.days


def in_window(rule, day, minute, holidays):
    y, m, _ = civil(day)
    if "months" in rule and m not in rule["months"]:
        return False
    if rule.get("weekdays_only") and (day + 3) % 7 >= 5:
        return False
    if rule.get("no_holidays") and holidays.has(y, day):
        return False
    if "hours" in rule:
        hour = minute // 60
        if not rule["hours"][0] <= hour < rule["hours"][1]:
            return False
    return True


def weight_of(rule, minute):
    """(num, den) of the period's weight."""
    night = rule.get("night")
    if night is not None:
        hour = minute // 60
        if hour >= night[0] or hour < night[1]:
            return night[2], night[3]
    return 1, 1


def iso(day, minute):
    y, m, d = civil(day)
    return "%04d-%02d-%02dT%02d:%02d:00" % (y, m, d, minute // 60, minute % 60)


class PeakSet:
    """One set's candidates: [weighted W, avg W, day, minute, num, den] entries, at most 31
    (one per day) with distinct days, else at most top N."""

    def __init__(self, rule):
        self.rule = rule
        self.top = rule["top"]
        self.entries = []

    def add(self, avg_w, day, minute):
        num, den = weight_of(self.rule, minute)
        entry = [avg_w * num // den, avg_w, day, minute, num, den]
        if self.rule.get("distinct_days"):
            for i in range(len(self.entries)):
                if self.entries[i][2] == day:
                    if entry[0] > self.entries[i][0]:
                        self.entries[i] = entry
                    return
            self.entries.append(entry)
        else:
            self.entries.append(entry)
            self.entries.sort(key=_rank)
            del self.entries[self.top :]

    def peaks(self):
        ranked = sorted(self.entries, key=_rank)
        return ranked[: self.top]

    def billed_w(self):
        """Mean of the top N weighted values (of those there are so far), rounded."""
        best = self.peaks()
        if not best:
            return 0
        total = 0
        for e in best:
            total += e[0]
        return (total + len(best) // 2) // len(best)

    def limit_w(self, day):
        """The weighted average the open period may reach without raising the billed value."""
        best = self.peaks()
        if self.rule.get("distinct_days"):
            for e in self.entries:
                if e[2] == day:  # today has a candidate: the open period may replace it
                    return e[0] if len(best) < self.top or e in best else best[-1][0]
        if len(best) < self.top:
            return 0  # a free place in the top N: any use raises the bill
        return best[-1][0]


def _rank(entry):
    return (-entry[0], entry[2], entry[3])


class PeakTracker:
    def __init__(self, preset, rules=None):
        """preset: a name from PRESETS, or any name with `rules` of the same shape."""
        if rules is None and preset not in PRESETS:
            raise ValueError("unknown preset %r: one of %s" % (preset, ", ".join(sorted(PRESETS))))
        self.preset = preset
        self.rules = rules or PRESETS[preset]
        self.period_min = self.rules["period_min"]
        self.holidays = _Holidays()
        self.month = None  # (y, m) of the periods being collected
        self.sets = [PeakSet(r) for r in self.rules["sets"]]
        self.gaps = 0  # partial periods this month (dongle off, meter silent)

    def _set_counts(self, index, day, minute):
        rule = self.rules["sets"][index]
        if "other" in rule:
            return not in_window(self.rules["sets"][rule["other"]], day, minute, self.holidays)
        return in_window(rule, day, minute, self.holidays)

    def add(self, day, minute, minutes, import_wh, complete):
        """A closed period. Returns the finished month's result when this period starts a new
        month (in the meter's time), else None."""
        y, m, _ = civil(day)
        finished = None
        if self.month is not None and (y, m) != self.month:
            finished = self.result()
            self.sets = [PeakSet(r) for r in self.rules["sets"]]
            self.gaps = 0
        self.month = (y, m)
        if not complete:
            self.gaps += 1
            return finished
        avg_w = import_wh * 60 // minutes
        for i in range(len(self.sets)):
            if self._set_counts(i, day, minute):
                self.sets[i].add(avg_w, day, minute)
        return finished

    def result(self):
        """{"month", "preset", "peaks": [{"start", "avg_w", "weight"}], "billed_w"} (multi-set
        presets: peaks carry "set" and billed_w maps set name to W)."""
        peaks = []
        billed = {}
        for s in self.sets:
            for e in s.peaks():
                item = {"start": iso(e[2], e[3]), "avg_w": e[1], "weight": Fixed(e[4] * 10 // e[5], 1)}
                if len(self.sets) > 1:
                    item["set"] = s.rule["name"]
                peaks.append(item)
            billed[s.rule["name"]] = s.billed_w()
        out = {"month": "%04d-%02d" % self.month if self.month else None, "preset": self.preset, "peaks": peaks}
        out["billed_w"] = billed[self.sets[0].rule["name"]] if len(self.sets) == 1 else billed
        if self.gaps:
            out["partial_periods"] = self.gaps
        return out

    def state(self):
        """JSON-able state: the month and each set's candidates (at most 31 entries a set)."""
        return {
            "preset": self.preset,
            "month": list(self.month) if self.month else None,
            "gaps": self.gaps,
            "sets": [s.entries for s in self.sets],
        }

    def restore(self, state):
        """Take back a saved state of the same preset; False (and nothing changed) otherwise."""
        try:
            if state["preset"] != self.preset or len(state["sets"]) != len(self.sets):
                return False
            month = state["month"]
            sets = state["sets"]
            for entries in sets:
                for e in entries:
                    if len(e) != 6 or [v for v in e if not isinstance(v, int)]:
                        return False
            gaps = int(state["gaps"])
        except (KeyError, TypeError, ValueError):
            return False
        self.month = (month[0], month[1]) if month else None
        self.gaps = gaps
        for i in range(len(self.sets)):
            self.sets[i].entries = [list(e) for e in sets[i]][:31]
        return True

    def headroom_w(self, day, minute, used_wh, elapsed_s):
        """How many W may be drawn on average for the rest of the open period without raising
        any set's billed value (None: the period counts in no set)."""
        period_s = self.period_min * 60
        left_s = period_s - elapsed_s
        best = None
        for i in range(len(self.sets)):
            if not self._set_counts(i, day, minute):
                continue
            s = self.sets[i]
            num, den = weight_of(s.rule, minute)
            limit_avg = s.limit_w(day) * den // num  # back from weighted to real W
            allowed_wh = limit_avg * self.period_min // 60
            room = (allowed_wh - used_wh) * 3600 // left_s if left_s > 0 else 0
            best = room if best is None or room < best else best
        return None if best is None else (best if best > 0 else 0)
