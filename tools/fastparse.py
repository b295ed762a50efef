# CPython's fast path of core/p1/parser.py for tools/p1decode.py: the same Reading and counters for
# the same telegram. The common line, a known OBIS code with one "(digits[.digits]*unit)" value
# (26 of a Swedish telegram's 27), is decoded by one regex match inline; every other line goes to
# Parser._line. A test compares it with the portable parser. CPython only (re).
import re

from hanport.core.p1.parser import MAX_LINES, Parser
from hanport.core.p1.profiles import P_DEC, P_SI

# OBIS code as sent, "(", the digits, an optional fraction, then "*unit" or nothing, ")". Anything
# else (a sign, a unit glued to the number, a second "*") is not matched and goes the long way.
_VALUE_LINE = re.compile(rb"([^(]*)\(([0-9]+)(?:\.([0-9]+))?(?:\*([^)]*))?\)")
# An SI unit: W, Wh, var, varh, VA in any case, optionally k (kvarh on Sagemcom/Ellevio, kVArh
# on Aidon): what Parser._si_value accepts, by its first letters.
_SI_UNIT = re.compile(rb"([Kk]?)[WwVv]")
_POW10 = (1, 10, 100, 1000)
_MAX_SIG_DIGITS = 9  # as core/p1/lexer.py: every value stays a small int on a 31-bit ESP32


class FastParser(Parser):
    def __init__(self):
        super().__init__(portable=False)
        # raw OBIS code -> (row, True for an SI value, False for a decimal as sent)
        self._fast_row = {
            raw: (row, self._kind[row] == P_SI) for raw, row in self._raw.items() if self._kind[row] in (P_SI, P_DEC)
        }

    def _parse(self, buf, n, reading):
        mbus = self._mbus_type
        for i in range(5):
            mbus[i] = 0
        self._cont = -1
        self._prev_kept = False
        self.n_lines = 0
        nl = buf.find(b"\n", 0, n)
        end = n - 1 if nl < 0 else nl
        if end > 1 and buf[end - 1] == 0x0D:
            end -= 1
        reading.set_ident(buf, 1, end)
        fast_row = self._fast_row
        slots = self._slot
        channel = self._channel
        field = self._field
        starts = self.line_start
        value = reading.value
        decimals = reading.decimals
        present = reading.present
        match = _VALUE_LINE.match
        si_unit = _SI_UNIT.match
        i = n if nl < 0 else nl + 1
        while i < n:
            nl = buf.find(b"\n", i, n)
            end = n if nl < 0 else nl
            nxt = end + 1
            if end > i and buf[end - 1] == 0x0D:
                end -= 1
            if end > i and buf[i] != 0x21:
                m = match(buf, i, end)
                row = None if m is None else fast_row.get(m.group(1))
                v = -1
                if row is not None:
                    row, si = row
                    whole, frac, unit = m.group(2, 3, 4)
                    frac = frac or b""
                    if si:
                        u = None if unit is None else si_unit(unit)
                        want = -1 if u is None else 3 if u.group(1) else 0
                        kept = frac[:want]
                    else:
                        want = 0
                        kept = frac
                    digits = whole + kept
                    if want < 0 or (len(digits) > _MAX_SIG_DIGITS and len(digits.lstrip(b"0")) > _MAX_SIG_DIGITS):
                        pass
                    elif not si:
                        v = int(digits)
                        want = len(frac)  # the decimals as sent
                    else:
                        v = int(digits) * _POW10[want - len(kept)]
                        if v > 2147483647:
                            v = -1
                        elif len(frac) > want and frac[want] >= 0x35:  # half up on the next digit
                            v += 1
                        want = 0
                if v < 0:  # not the common case: the portable rules decide, counters and all
                    self._line(buf, i, end, reading)
                else:  # what Parser._line does for a known SI or decimal object, inline
                    self._cont = -1
                    field[1] = channel[row]
                    if self.n_lines < MAX_LINES:
                        starts[self.n_lines] = i
                        self.n_lines += 1
                    self._prev_kept = True
                    self.objects += 1
                    slot = slots[row]
                    value[slot] = v
                    decimals[slot] = want
                    present[slot] = 1
            i = nxt
        reading.derive()
