#!/usr/bin/env python3
# Generator of realistic Swedish HAN telegrams with correct CRCs: the project's own test
# fixtures, the benchmark stream and the virtual meter's output. Deterministic for a seed,
# identical on CPython and the MicroPython unix port (own PRNG and calendar, no datetime).
# Usage: telegen.py [--count N] [--seed S] [--style NAME] [--interval S] [--start YYMMDDhhmmss]
import sys


def crc16_reflected(data, poly=0xA001, init=0, xorout=0):
    """Bitwise reflected CRC-16, independent of the firmware's table-driven one."""
    crc = init
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc ^ xorout


def crc16_arc(data):
    return crc16_reflected(data)  # CRC-16/ARC: poly 0x8005 reflected (0xA001), init 0


# Meter styles seen in Swedish captures (../shared/telegrams): header, unit spelling and the
# order of the per-phase reactive lines differ between makes.
STYLES = {
    # Aidon 6534: kVAr/kVArh, reactive per phase 23,24,43,44,63,64 (se_aidon-6534_1)
    "aidon": ("ADN9 6534", "kVAr", "kVArh", "paired"),
    # Sagemcom for Ellevio: lower-case kvar/kvarh, 23,43,63 then 24,44,64 (se_sagemcom-ellevio_1)
    "sagemcom": ("ELL5\\253833635_A", "kvar", "kvarh", "grouped"),
    # Landis+Gyr E360: kvar/kvarh (se_landisgyr-e360_*)
    "landisgyr": ("LGF5E360", "kvar", "kvarh", "grouped"),
    # Kamstrup: /KAM5 (se_kamstrup_*)
    "kamstrup": ("KAM5", "kvar", "kvarh", "grouped"),
}


class Rng:
    """xorshift32: the same sequence on every runtime."""

    def __init__(self, seed):
        self.s = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        self.s = s
        return s

    def below(self, n):
        return self.next() % n


def days_from_civil(y, m, d):
    # Howard Hinnant's algorithm; day 0 = 1970-01-01.
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _last_sunday_utc(year, month):
    days = days_from_civil(year, month, 31 if month in (3, 10) else 30)
    # 1970-01-01 was a Thursday: weekday (Mon=0) = (days + 3) % 7; step back to Sunday (6)
    days -= ((days + 3) % 7 + 1) % 7
    return days * 86400 + 3600  # 01:00 UTC


def swedish_local(utc):
    """UTC seconds since 1970 -> (YYMMDDhhmmss string, 'W' or 'S') in Swedish time
    (CET, CEST from the last Sunday of March to the last Sunday of October, 01:00 UTC)."""
    y = civil_from_days(utc // 86400)[0]
    summer = _last_sunday_utc(y, 3) <= utc < _last_sunday_utc(y, 10)
    local = utc + (7200 if summer else 3600)
    y, m, d = civil_from_days(local // 86400)
    s = local % 86400
    stamp = "%02d%02d%02d%02d%02d%02d" % (y % 100, m, d, s // 3600, s // 60 % 60, s % 60)
    return stamp, "S" if summer else "W"


def _kilo(value, decimals, width):
    """Integer in base units -> fixed text with `decimals` after the point (W -> kW)."""
    text = "%0*d" % (width + decimals, value)
    return text[:-decimals] + "." + text[-decimals:] if decimals else text


class SwedishMeter:
    """A three-phase meter with a solar export phase now and then; each telegram() call
    advances the meter clock by `interval` seconds and integrates energy exactly in Wh."""

    def __init__(self, seed=1, style="aidon", interval=10, start_utc=None):
        self.rng = Rng(seed)
        self.style = style
        self.header, self.var_unit, self.varh_unit, self.order = STYLES[style]
        self.interval = interval
        self.utc = start_utc if start_utc is not None else days_from_civil(2026, 1, 14) * 86400
        self.energy = [10117368 + seed * 1000, 5000 + seed, 1759974, 1260519]  # Wh / varh
        self._milli = [0, 0, 0, 0]  # sub-Wh remainders, so energy is integrated exactly
        self.truth = {}

    def _phase(self):
        # Import W, export W, reactive import var, reactive export var, voltage dV, current dA
        rng = self.rng
        imp = rng.below(4000) if rng.below(5) else 0
        exp = 0 if imp else rng.below(3000)
        return imp, exp, rng.below(800), rng.below(300), 2250 + rng.below(100), (imp + exp) // 23

    def _advance(self):
        phases = [self._phase() for _ in range(3)]
        totals = [sum(p[k] for p in phases) for k in range(4)]
        for k in range(4):  # integrate power over the interval: W * s / 3600 = Wh
            milli = self._milli[k] + totals[k] * self.interval * 1000 // 3600
            self.energy[k] += milli // 1000
            self._milli[k] = milli % 1000
        stamp, dst = swedish_local(self.utc)
        self.utc += self.interval
        self.truth = self._truth(stamp, dst, totals, phases)
        return phases, totals, stamp, dst

    def telegram(self):
        phases, totals, stamp, dst = self._advance()
        lines = ["/" + self.header, "", "0-0:1.0.0(%s%s)" % (stamp, dst)]
        units = ("kWh", "kWh", self.varh_unit, self.varh_unit)
        for k in range(4):
            lines.append("1-0:%d.8.0(%s*%s)" % (k + 1, _kilo(self.energy[k], 3, 8), units[k]))
        punits = ("kW", "kW", self.var_unit, self.var_unit)
        for k in range(4):
            lines.append("1-0:%d.7.0(%s*%s)" % (k + 1, _kilo(totals[k], 3, 4), punits[k]))
        codes = (21, 41, 61)
        for k in range(2):  # active import per phase, then export
            for ph in range(3):
                lines.append("1-0:%d.7.0(%s*kW)" % (codes[ph] + k, _kilo(phases[ph][k], 3, 4)))
        reactive = []
        for k in (2, 3):
            for ph in range(3):
                reactive.append((k, ph, "1-0:%d.7.0(%s*%s)" % (codes[ph] + k, _kilo(phases[ph][k], 3, 4), self.var_unit)))
        if self.order == "paired":  # 23,24,43,44,63,64
            reactive.sort(key=lambda r: (r[1], r[0]))
        lines.extend(r[2] for r in reactive)
        for ph in range(3):
            lines.append("1-0:%d.7.0(%s*V)" % (codes[ph] + 11, _kilo(phases[ph][4], 1, 3)))
        for ph in range(3):
            lines.append("1-0:%d.7.0(%s*A)" % (codes[ph] + 10, _kilo(phases[ph][5], 1, 3)))
        body = ("\r\n".join(lines) + "\r\n!").encode()
        return body + ("%04X\r\n" % crc16_arc(body)).encode()

    def _truth(self, stamp, dst, totals, phases):
        t = {
            "meter_id": self.header,
            "meter_time": "20%s-%s-%sT%s:%s:%s" % (stamp[0:2], stamp[2:4], stamp[4:6], stamp[6:8], stamp[8:10], stamp[10:12]),
            "meter_dst": dst == "S",
            "energy_import_wh": self.energy[0],
            "energy_export_wh": self.energy[1],
            "reactive_energy_import_varh": self.energy[2],
            "reactive_energy_export_varh": self.energy[3],
            "power_import_w": totals[0],
            "power_export_w": totals[1],
            "power_w": totals[0] - totals[1],
            "reactive_power_import_var": totals[2],
            "reactive_power_export_var": totals[3],
        }
        names = ("power_import", "power_export", "reactive_power_import", "reactive_power_export")
        suffix = ("w", "w", "var", "var")
        for ph in range(3):
            for k in range(4):
                t["%s_l%d_%s" % (names[k], ph + 1, suffix[k])] = phases[ph][k]
            t["voltage_l%d_v" % (ph + 1)] = _kilo(phases[ph][4], 1, 1)  # decimal text, as sent
            t["current_l%d_a" % (ph + 1)] = _kilo(phases[ph][5], 1, 1)
        return t


def stream(count, seed=1, style="aidon", interval=10):
    meter = SwedishMeter(seed, style, interval)
    return b"".join([meter.telegram() for _ in range(count)])


def main(argv):
    count, seed, style, interval = 1, 1, "aidon", 10
    i = 0
    while i < len(argv):
        opt = argv[i]
        val = argv[i + 1] if i + 1 < len(argv) else ""
        if opt == "--count":
            count = int(val)
        elif opt == "--seed":
            seed = int(val)
        elif opt == "--style":
            style = val
        elif opt == "--interval":
            interval = int(val)
        else:
            sys.stderr.write("usage: telegen.py [--count N] [--seed S] [--style %s] [--interval S]\n" % "|".join(sorted(STYLES)))
            return 2
        i += 2
    meter = SwedishMeter(seed, style, interval)
    out = sys.stdout.buffer
    for _ in range(count):
        out.write(meter.telegram())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
