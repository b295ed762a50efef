# CPython's C JSON encoder for tools/p1decode.py, giving exactly the bytes of core/jsonfmt.py's
# dumps (a test compares both on every corpus file and on generated records); whenever the two
# writers could differ (NUL, backspace, form feed, DEL) it hands over to jsonfmt. CPython only.
import json
import re

from hanport.core.jsonfmt import dumps as portable_dumps
from hanport.core.reading import Fixed

_ENCODER = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(", ", ": "), check_circular=False)
# A Fixed (a decimal number as sent) travels as the string "\x00<number>" and is unquoted after.
_MARKED = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)"')


def _marked(value, count):
    if isinstance(value, Fixed):
        count[0] += 1
        return "\x00" + str(value)
    if isinstance(value, dict):
        return _marked_dict(value, count)
    if isinstance(value, (list, tuple)):
        return [_marked(v, count) for v in value]
    if isinstance(value, float):
        raise TypeError("floats are not written: use fixed point")
    return value


def _marked_dict(value, count):
    """A reading is flat: its plain values are taken as they are, without a call each."""
    out = {}
    for k, v in value.items():
        kind = type(v)
        if kind is int or kind is str or kind is bool or v is None:
            out[k] = v
        else:
            out[k] = _marked(v, count)
    return out


_SIMPLE = (str, bool, int, type(None))


def _simple(value):
    """Text, truth values, integers and lists of them, as p1decode's "obis", "header", "apdu"
    are: nothing the two writers could write differently but the characters checked below."""
    if isinstance(value, _SIMPLE):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _simple(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_simple(v) for v in value)
    return False


def dumps(record, trusted=False):
    """jsonfmt.dumps(record), by the C encoder where it gives the same bytes: p1decode's records
    (Fixed values under "reading" only). Anything else is written by jsonfmt, which also says
    why it refuses what it refuses (floats). trusted: the caller made the record from a
    telegram's text only (p1decode's "obis" and "header"), so that check is skipped."""
    if not isinstance(record, dict):
        return portable_dumps(record)
    if not trusted and not all(k == "reading" or _simple(v) for k, v in record.items()):
        return portable_dumps(record)
    count = [0]
    marked = record
    if "reading" in record:
        marked = dict(record)
        marked["reading"] = _marked(record["reading"], count)
    text = _ENCODER.encode(marked)
    # The writers escape backspace, form feed and DEL differently, and a NUL in the meter's own
    # text would look like a mark: such records go the portable way.
    if "\\b" in text or "\\f" in text or "\x7f" in text or text.count("\\u0000") != count[0]:
        return portable_dumps(record)
    return _MARKED.sub(r"\1", text) if count[0] else text
