# One short line per telegram for people watching `make run` (the JSON with VERBOSE=1): meter
# time, net power, per-phase power and current, the energy registers. Host output only: the
# device never prints readings. Pure core: must not import machine, network, socket, time, asyncio.


def _kw(watts):
    sign = "-" if watts < 0 else ""
    watts = -watts if watts < 0 else watts
    return "%s%d.%03d kW" % (sign, watts // 1000, watts % 1000)


def _kwh(wh):
    return "%d.%03d kWh" % (wh // 1000, wh % 1000)


def line(reading):
    """reading: the canonical reading's dict (core/reading.py to_dict)."""
    parts = [reading["meter_time"][11:] if "meter_time" in reading else "--:--:--"]
    if "power_w" in reading:
        parts.append("net " + _kw(reading["power_w"]))
    for phase in ("l1", "l2", "l3"):
        imported = reading.get("power_import_%s_w" % phase)
        exported = reading.get("power_export_%s_w" % phase)
        current = reading.get("current_%s_a" % phase)
        if imported is None and current is None:
            continue
        text = phase.upper()
        if imported is not None:
            text += " " + _kw(imported - (exported or 0))
        if current is not None:
            text += " %s A" % current
        parts.append(text)
    if "energy_import_wh" in reading:
        parts.append("in " + _kwh(reading["energy_import_wh"]))
    if "energy_export_wh" in reading:
        parts.append("out " + _kwh(reading["energy_export_wh"]))
    return " | ".join(parts)
