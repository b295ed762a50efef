# Effekttariff: the month's power peaks as grid operators bill them. Rules are data (top-N
# periods, distinct days, month/weekday/hour windows, Swedish holidays, night weighting,
# 15/60-minute periods, separate sets), with presets per operator. Fed closed periods from
# core/tariff/periods.py; gives the peak list, the billed value and the headroom for the open hour.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.calendar import civil, swedish_holidays
from hanport.core.reading import Fixed

# A set (core/tariff/rulewords.py parses its words): which periods count ("months", "weekdays_only",
# "no_holidays", "hours" [from, to)), or "other": the periods outside set number N's window;
# "top" N, "distinct_days", "night" (from_hour, to_hour, num, den): periods starting then count
# at num/den of their power; "price": ((months, öre per kW), ...). The operators' rules and their
# sources are in hanport/core/tariff/presets/ and docs/effekttariff.md.


def schedule_for(preset, rule_text="", prices=""):
    """((first day number, rule), ...) oldest first, or raises ValueError with the message for
    the user. preset: a name from hanport/core/tariff/presets (stored parsed), or "custom" for rule_text
    (parsed by core/tariff/rulewords.py, which is loaded only then, and for prices)."""
    from hanport.core.calendar import day_number

    if preset == "custom":
        from hanport.core.tariff.rulewords import parse

        rule, err = parse(rule_text)
        if err is not None:
            raise ValueError(err)
        entries = (("2000-01-01", rule_text, rule, None),)
    else:
        from hanport.core.tariff.presets import load

        entries = load(preset)[1]
    schedule = []
    for start, _, rule, _ in entries:
        if prices:
            from hanport.core.tariff.rulewords import parse_prices

            err = parse_prices(prices, rule)
            if err is not None:
                raise ValueError(err)
        schedule.append((day_number(int(start[0:4]), int(start[5:7]), int(start[8:10])), rule))
    return schedule


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


def price_in(price, month):
    """öre per kW for that month, or None (no price known)."""
    if price:
        for months, ore in price:
            if month in months:
                return ore
    return None


def fee_ore(billed_w, price_ore, prices_incl_vat, with_vat):
    """The fee of one set, rounded half up to whole öre: W x öre/kW / 1000, with 25 % VAT
    added or taken out when the price list and the wanted figure differ."""
    num, den = 1, 1
    if prices_incl_vat and not with_vat:
        num, den = 4, 5
    elif with_vat and not prices_incl_vat:
        num, den = 5, 4
    scale = 1000 * den
    return (billed_w * price_ore * num + scale // 2) // scale


def money(ore, with_vat):
    """{"ore": 31778, "sek": 317.78, "vat": true}: öre exact, kronor as a decimal number."""
    return {"ore": ore, "sek": Fixed(ore, 2), "vat": with_vat, "currency": "SEK"}


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
    def __init__(self, preset, schedule=None, with_vat=True):
        """preset: the name shown (a tariffs name or "custom"); schedule: from schedule_for()
        (by default the preset's own); with_vat: fees with 25 % VAT included."""
        self.preset = preset
        self.schedule = schedule if schedule is not None else schedule_for(preset)
        self.with_vat = with_vat
        self.holidays = _Holidays()
        self.month = None  # (y, m) of the periods being collected
        self._use(self.schedule[-1][1], True)  # until a month is known: the newest rule
        self.gaps = 0  # partial periods this month (dongle off, meter silent)

    def _use(self, rule, in_force):
        self.rule = rule
        self.rules = rule  # the sets, period and prices counted with this month
        self.in_force = in_force  # False: a month before the operator's first rule
        self.period_min = rule["period_min"]
        self.sets = [PeakSet(r) for r in rule["sets"]]

    def _rule_of_month(self, y, m):
        from hanport.core.calendar import day_number

        first = day_number(y, m, 1)
        chosen = None
        for start, rule in self.schedule:
            if start <= first:
                chosen = rule
        return (self.schedule[0][1], False) if chosen is None else (chosen, True)

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
        if (y, m) != self.month:
            if self.month is not None:
                finished = self.result()
            self._use(*self._rule_of_month(y, m))
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
        if not self.in_force:
            out["in_force"] = False  # a month before the operator's first rule: no fee
        fee = self.fee_ore()
        if fee is not None:
            out["fee"] = money(fee, self.with_vat)
        return out

    def open_month(self, day):
        """The month of the open period, before any period of it closed: its rule counts from
        now (a fee of 0 so far rather than none)."""
        if self.month is None:
            y, m, _ = civil(day)
            self._use(*self._rule_of_month(y, m))
            self.month = (y, m)

    def fee_ore(self, extra=None):
        """The month's fee so far in öre (None: a set has no price, or no rule in force);
        extra = (avg W, day, minute): as if that period closed too."""
        if not self.in_force or self.month is None:
            return None
        total = 0
        for i in range(len(self.sets)):
            s = self.sets[i]
            price = price_in(s.rule.get("price"), self.month[1])
            if price is None:
                return None
            billed = s.billed_w()
            if extra is not None and self._set_counts(i, extra[1], extra[2]):
                trial = PeakSet(s.rule)
                trial.entries = [list(e) for e in s.entries]
                trial.add(extra[0], extra[1], extra[2])
                billed = trial.billed_w()
            total += fee_ore(billed, price, self.rule["prices_incl_vat"], self.with_vat)
        return total

    def state(self):
        """JSON-able state: the month and each set's candidates (at most 31 entries a set)."""
        return {
            "preset": self.preset,
            "rule": self.rule["text"],
            "month": list(self.month) if self.month else None,
            "gaps": self.gaps,
            "sets": [s.entries for s in self.sets],
        }

    def restore(self, state):
        """Take back a saved state of the same preset; False (and nothing changed) otherwise."""
        try:
            month = state["month"]
            rule = self._rule_of_month(month[0], month[1]) if month else (self.rule, self.in_force)
            saved_rule = state.get("rule", rule[0]["text"])  # states of 0.1.0 before dated rules: same preset
            if state["preset"] != self.preset or saved_rule != rule[0]["text"]:
                return False  # another rule than the one saved with: start the month anew
            if len(state["sets"]) != len(rule[0]["sets"]):
                return False
            sets = state["sets"]
            for entries in sets:
                for e in entries:
                    if len(e) != 6 or [v for v in e if not isinstance(v, int)]:
                        return False
            gaps = int(state["gaps"])
        except (KeyError, TypeError, ValueError, IndexError):
            return False
        self._use(*rule)
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
