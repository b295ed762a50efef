# Effekttariff rules as text: the one form for the operators' presets (hanport/core/tariff/presets/) and the
# user's own rule (peaks.rule), parsed into what core/tariff/billing.py counts with, checked with a clear
# message per mistake, and told back in plain words. Prices in öre per kW and month (integers).
# Pure core: must not import machine, network, socket, time or asyncio.

# A rule is one or more sets separated by ";", each a list of words:
#   NAME:          a label for the set (letters, digits, _; at most 12)
#   top=N          the mean of the N highest periods (1-10; default 1)
#   days           those N on different days
#   months=11-3    only these months (a range that may wrap, or a list: 1,2,12)
#   weekdays       Monday to Friday only;  noholidays: not on Swedish public holidays and eves
#   hours=7-20     periods starting from 07:00 until before 20:00 (0-24)
#   night=22-6*1/2 periods starting 22:00-06:00 count at 1/2 of their power
#   other=NAME     every period the named set's window leaves out
#   price=52.50    kr per kW and month, or by season: price=4-10:52,11-3:70
# and, once for the whole rule: period=15|60 (minutes; default 60), vat=incl|excl (the prices).

MAX_TEXT = 240
MAX_SETS = 4
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _int(text, low, high):
    if not text or not text.isdigit() or len(text) > 4:
        return None
    v = int(text)
    return v if low <= v <= high else None


def _months(text):
    """ "11-3" (wrapping) or "1,2,12" -> tuple of month numbers, or None."""
    if "-" in text:
        a, _, b = text.partition("-")
        a = _int(a, 1, 12)
        b = _int(b, 1, 12)
        if a is None or b is None:
            return None
        out = [a]
        while out[-1] != b:
            out.append(out[-1] % 12 + 1)
        return tuple(out)
    out = []
    for part in text.split(","):
        m = _int(part, 1, 12)
        if m is None or m in out:
            return None
        out.append(m)
    return tuple(out)


def parse_kronor(text):
    """ "52", "52.5", "111.50" -> öre (5200, 5250, 11150), or None."""
    whole, dot, frac = text.partition(".")
    if (dot and not 1 <= len(frac) <= 2) or (frac and not frac.isdigit()):
        return None
    kr = _int(whole, 0, 9999)
    if kr is None:
        return None
    return kr * 100 + (int(frac + "0" * (2 - len(frac))) if frac else 0)


def parse_price(text):
    """ "52.50" -> ((all months, 5250),); "4-10:52,11-3:70" -> one entry per season; None if
    not understood or if a month is priced twice or not at all."""
    if ":" not in text:
        ore = parse_kronor(text)
        return None if ore is None else ((tuple(range(1, 13)), ore),)
    seasons = []
    seen = []
    for part in text.split(","):
        months, _, kr = part.partition(":")
        months = _months(months)
        ore = parse_kronor(kr)
        if months is None or ore is None:
            return None
        for m in months:
            if m in seen:
                return None
            seen.append(m)
        seasons.append((months, ore))
    return tuple(seasons) if len(seen) == 12 else None


def _set(words, index):
    """One set's words -> (dict, None) or (None, message)."""
    s = {"name": "set%d" % (index + 1), "top": 1}
    for word in words:
        key, eq, value = word.partition("=")
        if key.endswith(":") and not eq and word is words[0]:
            name = key[:-1]
            if not name or len(name) > 12 or not all(c.isalpha() or c.isdigit() or c == "_" for c in name):
                return None, "a set's name: letters, digits and _ (at most 12), then ':'"
            s["name"] = name
        elif word == "days":
            s["distinct_days"] = True
        elif word == "weekdays":
            s["weekdays_only"] = True
        elif word == "noholidays":
            s["no_holidays"] = True
        elif key == "top" and eq:
            top = _int(value, 1, 10)
            if top is None:
                return None, "top: a whole number of periods, 1 to 10"
            s["top"] = top
        elif key == "months" and eq:
            months = _months(value)
            if months is None:
                return None, "months: a range such as 11-3 (November to March) or a list such as 1,2,12"
            s["months"] = months
        elif key == "hours" and eq:
            a, _, b = value.partition("-")
            a = _int(a, 0, 23)
            b = _int(b, 1, 24)
            if a is None or b is None or a >= b:
                return None, "hours: from-to such as 7-20 (0-24, from before to)"
            s["hours"] = (a, b)
        elif key == "night" and eq:
            span, _, weight = value.partition("*")
            a, _, b = span.partition("-")
            num, _, den = weight.partition("/")
            a, b, num, den = _int(a, 0, 23), _int(b, 0, 23), _int(num, 0, 9), _int(den, 1, 9)
            if None in (a, b, num, den) or a == b or num >= den:
                return None, "night: hours and the weight they count at, such as 22-6*1/2"
            s["night"] = (a, b, num, den)
        elif key == "other" and eq:
            s["other"] = value
        elif key == "price" and eq:
            price = parse_price(value)
            if price is None:
                return None, "price: kr per kW and month such as 52.50, or by season such as 4-10:52,11-3:70 (every month once)"
            s["price"] = price
        else:
            return None, "unknown word %r: use top=, days, months=, weekdays, noholidays, hours=, night=, other=, price=" % word[
                :20
            ]
    if "other" in s and [k for k in ("months", "weekdays_only", "no_holidays", "hours") if k in s]:
        return None, "other= takes every period the named set leaves out: no months=, weekdays, noholidays or hours= beside it"
    return s, None


def parse(text):
    """Rule text -> ({"period_min", "prices_incl_vat", "sets": [...], "text"}, None), or
    (None, message) saying what to change."""
    if not isinstance(text, str) or not text.strip():
        return None, "the rule is empty: at least top=1"
    if len(text) > MAX_TEXT:
        return None, "at most %d characters" % MAX_TEXT
    rule = {"period_min": 60, "prices_incl_vat": True, "sets": [], "text": " ".join(text.split())}
    parts = text.split(";")
    if len(parts) > MAX_SETS:
        return None, "at most %d sets" % MAX_SETS
    for index in range(len(parts)):
        words = []
        for word in parts[index].split():
            if word.startswith("period="):
                if word not in ("period=15", "period=60"):
                    return None, "period: 15 or 60 minutes"
                rule["period_min"] = int(word[7:])
            elif word.startswith("vat="):
                if word not in ("vat=incl", "vat=excl"):
                    return None, "vat: incl or excl (whether the prices include 25 % VAT)"
                rule["prices_incl_vat"] = word == "vat=incl"
            else:
                words.append(word)
        if not words:
            if len(parts) == 1 or index > 0:
                return None, "set %d is empty: at least top=1" % (index + 1)
            continue  # "period=15; ..." : the whole rule's words alone before the sets
        s, err = _set(words, len(rule["sets"]))
        if err:
            return None, "set %d: %s" % (index + 1, err)
        rule["sets"].append(s)
    names = [s["name"] for s in rule["sets"]]
    for i in range(len(names)):
        if names[i] in names[:i]:
            return None, "two sets are called %r: names must differ" % names[i]
    for s in rule["sets"]:
        if "other" in s:
            if s["other"] not in names:
                return None, "other=%s: no set has that name (sets: %s)" % (s["other"][:12], ", ".join(names))
            target = rule["sets"][names.index(s["other"])]
            if target is s or "other" in target:
                return None, "other= must name a set with a window of its own"
            s["other"] = names.index(s["other"])
    return rule, None


def parse_prices(text, rule):
    """peaks.prices: "" (keep the rule's), "SPEC [excl|incl]" for a one-set rule, or
    "NAME=SPEC ..." per set. Sets rule's prices in place; returns None or a message."""
    words = text.split()
    if words and words[-1] in ("excl", "incl"):
        rule["prices_incl_vat"] = words.pop() == "incl"
    sets = rule["sets"]
    for word in words:
        name, eq, spec = word.rpartition("=")
        if not eq:
            if len(sets) != 1 or len(words) != 1:
                return "this rule has %d sets: give NAME=PRICE for each (%s)" % (len(sets), ", ".join(s["name"] for s in sets))
            name, spec = sets[0]["name"], word
        price = parse_price(spec)
        target = [s for s in sets if s["name"] == name]
        if price is None or not target:
            return "prices: kr per kW and month such as 52.50 or 4-10:52,11-3:70, per set as NAME=PRICE (sets: %s)" % ", ".join(
                s["name"] for s in sets
            )
        target[0]["price"] = price
    return None


def _month_span(months):
    if len(months) == 1:
        return _MONTHS[months[0] - 1]
    wraps = all(months[i] % 12 + 1 == months[i + 1] for i in range(len(months) - 1))
    if wraps:
        return "%s to %s" % (_MONTHS[months[0] - 1], _MONTHS[months[-1] - 1])
    return ", ".join(_MONTHS[m - 1] for m in months)


def describe(rule):
    """Plain words, e.g. "the mean of your 3 highest hours on different days, weekdays
    between 07 and 20, November to March"."""
    unit = "quarter hours" if rule["period_min"] == 15 else "hours"
    out = []
    for s in rule["sets"]:
        words = "your highest %s" % unit[:-1] if s["top"] == 1 else "the mean of your %d highest %s" % (s["top"], unit)
        if s.get("distinct_days") and s["top"] > 1:
            words += " on different days"
        if "other" in s:
            words += ", at all times the %s set leaves out" % rule["sets"][s["other"]]["name"]
        if s.get("weekdays_only"):
            words += ", weekdays" + (" except holidays" if s.get("no_holidays") else "")
        elif s.get("no_holidays"):
            words += ", except holidays"
        if "hours" in s:
            words += " between %02d and %02d" % s["hours"]
        if "months" in s:
            words += ", " + _month_span(s["months"])
        if "night" in s:
            n = s["night"]
            words += "; %02d-%02d counts at %d/%d" % n
        if len(rule["sets"]) > 1:
            words = "%s: %s" % (s["name"], words)
        out.append(words)
    return "; ".join(out)
