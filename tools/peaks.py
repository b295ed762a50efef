#!/usr/bin/env python3
# Effekttariff from a raw telegram stream (a capture, or the generator's output): one JSON line
# per month in the meter's time with the peaks a grid operator would bill, so a user can check
# a bill against a capture. Runs under CPython and the MicroPython unix port.
# Usage: peaks.py --preset NAME [FILE|-]     (presets: max1 ellevio goteborg tekniska_verken
#        malarenergi sollentuna; see docs/effekttariff.md)
import sys

from rawinput import add_firmware_to_path, chunks  # noqa: E402

add_firmware_to_path()

from hanport.core.decoder import Decoder  # noqa: E402
from hanport.core.fields import ENERGY_IMPORT, METER_TIME  # noqa: E402
from hanport.core.jsonfmt import dumps  # noqa: E402
from hanport.core.peaks import PRESETS, PeakTracker  # noqa: E402
from hanport.core.periods import Periods  # noqa: E402

_CHUNK = 4096
_ENERGY_EXPORT = ENERGY_IMPORT + 1  # core/fields.py: energy_export_wh follows energy_import_wh


class MonthPrinter:
    def __init__(self, preset, out):
        self.tracker = PeakTracker(preset)
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

    def finish(self):
        self.decoder.flush()
        if self.tracker.month is not None:
            self.out.write(dumps(self.tracker.result()) + "\n")


def main(argv):
    preset = None
    path = "-"
    i = 0
    while i < len(argv):
        if argv[i] == "--preset" and i + 1 < len(argv):
            preset = argv[i + 1]
            i += 2
            continue
        path = argv[i]
        i += 1
    if preset not in PRESETS:
        sys.stderr.write("usage: peaks.py --preset NAME [FILE|-]; presets: %s\n" % " ".join(sorted(PRESETS)))
        return 2
    printer = MonthPrinter(preset, sys.stdout)
    for chunk in chunks(path, _CHUNK):
        printer.decoder.feed(chunk)
    printer.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
