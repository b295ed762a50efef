# Civil-calendar arithmetic in integers for the effekttariff rules and the register checks: day
# numbers, weekdays, Easter, and the Swedish public holidays (computed, no tables to update).
# Pure core: must not import machine, network, socket, time or asyncio.


def day_number(y, m, d):
    """Days since 1970-01-01 for a Gregorian date (H. Hinnant's days_from_civil)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil(days):
    """Inverse of day_number: (y, m, d)."""
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def weekday(y, m, d):
    """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
    return (day_number(y, m, d) + 3) % 7


def easter(y):
    """Easter Sunday (month, day): the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = y % 19
    b = y // 100
    c = y % 100
    d = b // 4
    e = b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i = c // 4
    k = c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return month, day


def _first_weekday_from(y, m, d, wd):
    n = day_number(y, m, d)
    return n + (wd - (n + 3) % 7) % 7


def swedish_holidays(y):
    """Day numbers of the days that are not working days in Sweden beyond weekends: the public
    holidays of lag (1989:253) om allmänna helgdagar, plus midsummer eve, Christmas eve and New
    Year's eve, which grid operators treat as holidays too."""
    e = day_number(y, *easter(y))
    days = {
        day_number(y, 1, 1),  # nyårsdagen
        day_number(y, 1, 6),  # trettondedag jul
        e - 2,  # långfredagen
        e,  # påskdagen
        e + 1,  # annandag påsk
        day_number(y, 5, 1),  # första maj
        e + 39,  # Kristi himmelsfärds dag
        e + 49,  # pingstdagen
        day_number(y, 6, 6),  # Sveriges nationaldag
        _first_weekday_from(y, 6, 19, 4),  # midsommarafton: Friday 19-25 June
        _first_weekday_from(y, 6, 20, 5),  # midsommardagen: Saturday 20-26 June
        _first_weekday_from(y, 10, 31, 5),  # alla helgons dag: Saturday 31 Oct - 6 Nov
        day_number(y, 12, 24),  # julafton
        day_number(y, 12, 25),  # juldagen
        day_number(y, 12, 26),  # annandag jul
        day_number(y, 12, 31),  # nyårsafton
    }
    return days


def _last_sunday(y, m):
    """Day number of the last Sunday of a 31-day month (March, October)."""
    n = day_number(y, m, 31)
    return n - ((n + 3) % 7 + 1) % 7


def swedish_time(utc):
    """UTC seconds -> (YYMMDD, hhmmss, dst) in Swedish local time, as a meter would send it:
    CET (W, dst 0) or CEST (S, dst 1) from the last Sunday of March to the last Sunday of
    October, 01:00 UTC. For meters without a clock object (time then comes from NTP)."""
    y = civil(utc // 86400)[0]
    summer = _last_sunday(y, 3) * 86400 + 3600 <= utc < _last_sunday(y, 10) * 86400 + 3600
    local = utc + (7200 if summer else 3600)
    y, m, d = civil(local // 86400)
    s = local % 86400
    return (y % 100) * 10000 + m * 100 + d, s // 3600 * 10000 + s // 60 % 60 * 100 + s % 60, 1 if summer else 0
