# CPython's fast path of core/p1/textview.py for tools/p1decode.py: the same (header, objects) for the
# same telegram, from one latin-1 decode of it, a regex per group and a cache of OBIS names, instead
# of a byte loop per line. A test compares both on every corpus file and on generated telegrams.
# CPython only (re, the latin-1 codec); the device and the MicroPython tools use core/p1/textview.py.
import re

# One group "(value)" or "(value*unit)": the value runs to the first "*" or ")", the unit to the
# first ")" after the star, exactly as core/p1/textview.py finds them.
_GROUP = re.compile(r"\(([^)*]*)(?:\*([^)]*))?\)")
_NAMES_CAP = 512  # distinct raw OBIS spellings remembered (a capture has a few dozen)


class Tokenizer:
    def __init__(self):
        self._names = {}  # raw OBIS text as sent ("1-0:1.8.0*255") -> normalised name

    def _new_name(self, raw, buf, start, paren, scan):
        scan.obis(buf, start, paren)  # the portable scanner decides what the name is
        name = scan.obis_text()
        if len(self._names) < _NAMES_CAP:
            self._names[raw] = name
        return name

    def tokenize(self, buf, n, parser):
        """core.tokens.tokenize(buf, n, parser), byte for byte."""
        text = bytes(buf[:n]).decode("latin-1")  # one character per byte: indices agree
        nl = text.find("\n")
        end = n - 1 if nl < 0 else nl
        if end > 1 and text[end - 1] == "\r":
            end -= 1
        header = text[1:end]
        objects = {}
        groups = None
        group = _GROUP.match
        names = self._names
        starts = parser.line_start
        for k in range(parser.n_lines):
            start = starts[k]
            nl = text.find("\n", start)
            end = n if nl < 0 else nl
            if end > start and text[end - 1] == "\r":
                end -= 1
            if text[start] == "(":  # continuation line: more groups of the previous object
                i = start
            else:
                i = text.find("(", start, end)
                raw = text[start:i]
                name = names.get(raw)
                if name is None:
                    name = self._new_name(raw, buf, start, i, parser._scan)
                groups = objects.setdefault(name, [])
            m = group(text, i, end)
            while m is not None:
                groups.append(list(m.groups()))
                i = m.end()
                m = group(text, i, end) if i < end and text[i] == "(" else None
        return header, objects
