#!/usr/bin/env python3
# Effekttariff from a raw telegram stream (a capture, or the generator's output): one JSON line
# per month in the meter's time with the peaks a grid operator would bill, so a user can check
# a bill against a capture. Runs under CPython and the MicroPython unix port.
# Usage: peaks.py (--preset NAME | --rule FILE) [--prices SPEC] [--no-vat] [FILE|-]
#        (presets and the rule words: docs/effekttariff.md)
import sys

from rawinput import add_firmware_to_path, chunks  # noqa: E402

add_firmware_to_path()

from hanport.core.fields import ENERGY_IMPORT, METER_TIME  # noqa: E402
from hanport.core.jsonfmt import dumps  # noqa: E402
from hanport.core.p1.decoder import Decoder  # noqa: E402
from hanport.core.tariff.billing import PeakTracker, schedule_for  # noqa: E402
from hanport.core.tariff.periods import Periods  # noqa: E402

_CHUNK = 4096
_ENERGY_EXPORT = ENERGY_IMPORT + 1  # core/fields.py: energy_export_wh follows energy_import_wh


class MonthPrinter:
    def __init__(self, preset, out, schedule=None, with_vat=True):
        self.tracker = PeakTracker(preset, schedule, with_vat)
        self.periods = Periods(self.tracker.period_min)
        self.out = out
        self.decoder = Decoder(self.on_telegram)

    def on_telegram(self, reading, framer):
        if reading is None or not reading.present[METER_TIME] or not reading.present[ENERGY_IMPORT]:
            return  # damaged, or a meter without clock/register: nothing to account
        export_wh = reading.value[_ENERGY_EXPORT] if reading.present[_ENERGY_EXPORT] else 0
        p = self.periods
        if p.feed(
            reading.value[METER_TIME],
            reading.aux[METER_TIME],
            reading.decimals[METER_TIME],
            reading.value[ENERGY_IMPORT],
            export_wh,
        ):
            finished = self.tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            if finished is not None:
                self.out.write(dumps(finished) + "\n")
            if self.tracker.period_min != p.period_min:  # a rule with other periods from this month
                self.periods = Periods(self.tracker.period_min)

    def finish(self):
        self.decoder.flush()
        if self.tracker.month is not None:
            self.out.write(dumps(self.tracker.result()) + "\n")


_USAGE = "usage: peaks.py (--preset NAME | --rule FILE) [--prices SPEC] [--no-vat] [FILE|-]; presets: %s\n"


def main(argv):
    from hanport.core.tariff.presets import NAMES

    preset = None
    rule = ""
    prices = ""
    with_vat = True
    path = "-"
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--preset", "--rule", "--prices") and args:
            value = args.pop(0)
            if arg == "--preset":
                preset = value
            elif arg == "--prices":
                prices = value
            else:
                preset = "custom"
                with open(value) as f:
                    rule = f.read()
        elif arg == "--no-vat":
            with_vat = False
        else:
            path = arg
    if preset is None or (preset != "custom" and preset not in NAMES):
        sys.stderr.write(_USAGE % " ".join(NAMES))
        return 2
    try:
        schedule = schedule_for(preset, rule, prices)
    except ValueError as e:
        sys.stderr.write("peaks.py: %s\n" % e)
        return 2
    printer = MonthPrinter(preset, sys.stdout, schedule, with_vat)
    for chunk in chunks(path, _CHUNK):
        printer.decoder.feed(chunk)
    printer.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
