# A small JSON writer that gives byte-identical output on CPython and MicroPython: sorted
# keys (MicroPython dicts are unordered), ASCII-only with \uXXXX escapes, fixed-point numbers
# written from integers (no float rounding on the ESP32's 32-bit floats).
# Pure core: must not import machine, network, socket, time or asyncio.

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _needs_escape(s):
    for ch in s:
        if ch < " " or ch > "~" or ch == '"' or ch == "\\":
            return True
    return False


def quote(s):
    if not _needs_escape(s):
        return '"' + s + '"'
    parts = ['"']
    for ch in s:
        if " " <= ch <= "~" and ch != '"' and ch != "\\":
            parts.append(ch)
        elif ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
        else:
            cp = ord(ch)
            if cp > 0xFFFF:  # outside the BMP: a UTF-16 surrogate pair, as JSON wants
                cp -= 0x10000
                parts.append("\\u%04x\\u%04x" % (0xD800 | (cp >> 10), 0xDC00 | (cp & 0x3FF)))
            else:
                parts.append("\\u%04x" % cp)
    parts.append('"')
    return "".join(parts)


def dumps(obj):
    """JSON text of dicts, lists, tuples, str, int, bool, None and objects whose str() is
    a JSON number (core.reading.Fixed). Floats are refused: use fixed point."""
    out = []
    _write(obj, out)
    return "".join(out)


def _write(obj, out):
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(quote(obj))
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for key in sorted(obj):
            if not first:
                out.append(", ")
            first = False
            out.append(quote(key))
            out.append(": ")
            _write(obj[key], out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i in range(len(obj)):
            if i:
                out.append(", ")
            _write(obj[i], out)
        out.append("]")
    elif isinstance(obj, float):
        raise TypeError("floats are not written: use fixed point")
    else:
        out.append(str(obj))  # Fixed and friends
