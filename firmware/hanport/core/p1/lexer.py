# Allocation-free scanners for the pieces of a telegram line: OBIS codes, fixed-point numbers
# and meter timestamps. Results go to attributes (returning tuples would allocate).
# Pure core: must not import machine, network, socket, time or asyncio.
import sys
from array import array

from hanport.core.const import const
from hanport.core.reading import DST_NONE, DST_SUMMER, DST_WINTER

BAD = const(-1)  # not an OBIS code: malformed line
UNKNOWN = const(-2)  # a well-formed OBIS code outside the table's key range
_MAX_SIG_DIGITS = const(9)  # < 2**30: every value stays a small int on a 31-bit ESP32
_PAD_LIMIT = const(214748364)  # v * 10 still fits a signed 32-bit array slot
_POW10 = (1, 10, 100, 1000, 10000, 100000, 1000000)


class Scanner:
    def __init__(self, portable=None):
        """portable=True forces the allocation-free paths on CPython too (tests compare)."""
        if portable is None:
            portable = sys.implementation.name == "micropython"
        self.portable = portable
        if not portable:
            self.number = self._number_cpython
        self.field = array("H", bytes(10))  # A, B, C, D, E of the last OBIS code
        self.stop = 0  # number(): index after the number
        self.dec = 0  # number(): decimals sent
        self.err = False  # number(): value rejected
        self.date = 0  # timestamp(): YYMMDD
        self.clock = 0  # timestamp(): hhmmss
        self.dst = DST_NONE

    def _number_cpython(self, buf, s, e, want):
        """CPython: the same result as number() for plain "digits[.digits]" through C-level
        isdigit/int on slices; anything else (sign, glued unit, overflow) takes the loop."""
        dot = buf.find(b".", s, e)
        whole = buf[s:e] if dot < 0 else buf[s:dot]
        frac = b"" if dot < 0 else buf[dot + 1 : e]
        if not whole.isdigit() or (frac and not frac.isdigit()):
            return Scanner.number(self, buf, s, e, want)
        kept = frac if want < 0 else frac[:want]
        digits = whole + kept
        if len(digits) > _MAX_SIG_DIGITS and len(digits.lstrip(b"0")) > _MAX_SIG_DIGITS:
            return Scanner.number(self, buf, s, e, want)
        v = int(digits)
        if want < 0:
            self.dec = len(frac)
        else:
            if want - len(kept) >= len(_POW10):
                return Scanner.number(self, buf, s, e, want)
            v *= _POW10[want - len(kept)]
            if v > 2147483647:
                return Scanner.number(self, buf, s, e, want)
            if len(frac) > want and frac[want] >= 0x35:
                v += 1
        self.stop = e
        self.err = False
        return v

    def number(self, buf, s, e, want):
        """Parse [-]digits[.digits] from buf[s:e] without floats or allocation.

        want >= 0: return the value scaled to `want` decimals, rounded half up on the next
        digit ("00052185.7825309" kWh -> 52185783 Wh); want < 0: keep the decimals as sent
        (in self.dec). Sets self.stop (index after the number) and self.err."""
        self.err = True
        i = s
        neg = False
        if i < e and buf[i] == 0x2D:
            neg = True
            i += 1
        v = 0
        sig = 0  # significant digits accumulated
        digits = 0
        frac = -1  # decimals accumulated into v; -1 = no point seen yet
        rnd = 0  # first digit beyond `want` decimals
        while i < e:
            c = buf[i] - 0x30
            if 0 <= c <= 9:
                digits += 1
                if frac < 0 or want < 0 or frac < want:
                    if v or c:
                        sig += 1
                        if sig > _MAX_SIG_DIGITS:
                            self.stop = i
                            return 0
                    v = v * 10 + c
                    if frac >= 0:
                        frac += 1
                elif frac == want:
                    rnd = c
                    frac += 1  # beyond: later digits are dropped
            elif c == -2 and frac < 0:  # "."
                frac = 0
            else:
                break
            i += 1
        self.stop = i
        if digits == 0:
            return 0
        if frac < 0:
            frac = 0
        if want >= 0:
            if frac > want:
                frac = want
                if rnd >= 5:
                    v += 1
            while frac < want:
                if v > _PAD_LIMIT:
                    return 0
                v *= 10
                frac += 1
        else:
            self.dec = frac
        self.err = False
        return -v if neg else v

    def timestamp(self, buf, s, e):
        """YYMMDDhhmmss[W|S] -> self.date, self.clock, self.dst. False if not a valid time."""
        if e - s < 12 or e - s > 13:
            return False
        date = 0
        clock = 0
        for i in range(s, s + 12):
            c = buf[i] - 0x30
            if c < 0 or c > 9:
                return False
            if i < s + 6:
                date = date * 10 + c
            else:
                clock = clock * 10 + c
        month = date // 100 % 100
        day = date % 100
        # e-MUCS sends "632525252525W" as an empty peak-history timestamp: rejected here.
        if not (1 <= month <= 12 and 1 <= day <= 31 and clock < 240000):
            return False
        if clock // 100 % 100 > 59 or clock % 100 > 59:
            return False
        dst = DST_NONE
        if e - s == 13:
            c = buf[s + 12]
            if c == 0x53:  # "S" summer time (DST active)
                dst = DST_SUMMER
            elif c == 0x57:  # "W" winter / normal time
                dst = DST_WINTER
            else:
                return False
        self.date = date
        self.clock = clock
        self.dst = dst
        return True

    def obis(self, buf, s, e):
        """Parse "A-B:C.D.E" (optionally "*F", e.g. EasyMeter's "1-0:1.8.0*255") from
        buf[s:e] into self.field; return a table key, UNKNOWN or BAD."""
        f = self.field
        field = 0
        v = 0
        nd = 0
        i = s
        while i < e:
            c = buf[i]
            if 0x30 <= c <= 0x39:
                v = v * 10 + c - 0x30
                nd += 1
                if nd > 3:
                    return BAD
            else:
                if nd == 0:
                    return BAD
                if field == 4 and c == 0x2A:  # "*F" suffix: the value group, ignored
                    break
                if not ((field == 0 and c == 0x2D) or (field == 1 and c == 0x3A) or ((field == 2 or field == 3) and c == 0x2E)):
                    return BAD
                f[field] = v
                field += 1
                v = 0
                nd = 0
            i += 1
        if field != 4 or nd == 0:
            return BAD
        f[4] = v
        a = f[0]
        b = f[1]
        c = f[2]
        if a > 1 or b > 15 or c > 127 or f[3] > 255 or v > 255:
            return UNKNOWN
        # < 2**28: a small int on every MicroPython port
        return ((a * 16 + b) * 128 + c) * 65536 + f[3] * 256 + v

    def obis_text(self):
        """The last parsed OBIS code as text (allocates: tools and tokenizer only)."""
        f = self.field
        return "%d-%d:%d.%d.%d" % (f[0], f[1], f[2], f[3], f[4])
