# The grid operators' effekttariff rules, one small module each: the device imports only the chosen
# one and forgets it once read. Each: OPERATOR, SOURCES ((url, date read), ...), NOTE, RULES ((from,
# text, text parsed, plain words), ...); stored parsed so a preset never loads core/tariff/rulewords.py (its
# names would stay interned: make mem). Must not import machine, network, socket, time or asyncio.

# Generic first, then the operators in the order of docs/effekttariff.md's table.
NAMES = ("max1", "eskilstuna", "sollentuna", "goteborg", "malarenergi", "telge", "karlstad")


def load(name):
    """(operator, ((from "YYYY-MM-DD", rule text), ...)) of a preset, the module forgotten
    after; ValueError for a name that is not one."""
    if name not in NAMES:
        raise ValueError("unknown preset %r: one of %s, or custom" % (name, ", ".join(NAMES)))
    import sys

    full = "hanport.core.tariff.presets." + name
    module = __import__(full, None, None, ["RULES"])
    out = (module.OPERATOR, module.RULES)
    sys.modules.pop(full, None)
    return out
