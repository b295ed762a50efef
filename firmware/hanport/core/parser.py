# Telegram parser: one pass over the lines of a framed telegram, OBIS code -> table row ->
# exact fixed-point integers in a Reading. Never allocates after construction, never raises:
# malformed lines are skipped and counted, unknown objects are counted and kept raw.
# Pure core: must not import machine, network, socket, time or asyncio.
import sys
from array import array

from hanport.core.const import const
from hanport.core.fields import GAS_M3, GAS_TIME, HEAT_GJ, HEAT_TIME, METER_TIME, WATER_M3, WATER_TIME
from hanport.core.profiles import (
    ALL_PROFILES,
    P_DEC,
    P_GAS_DSMR22,
    P_INT,
    P_MBUS_TYPE,
    P_MBUS_VALUE,
    P_SI,
    P_TIME,
    P_TIME_SI,
    PROFILES,
)
from hanport.core.reading import DST_NONE, DST_SUMMER, DST_WINTER

_BAD = const(-1)  # not an OBIS code: malformed line
_UNKNOWN = const(-2)  # a well-formed OBIS code outside the table's key range
_MAX_SIG_DIGITS = const(9)  # < 2**30: every value stays a small int on a 31-bit ESP32
_PAD_LIMIT = const(214748364)  # v * 10 still fits a signed 32-bit array slot
_POW10 = (1, 10, 100, 1000, 10000, 100000, 1000000)
MAX_LINES = const(160)  # object lines remembered for raw access (Sanxing SX631: 58)
_MBUS_WATER = const(7)  # EN 13757-3 device type on 0-n:24.1.0


class Parser:
    def __init__(self, profiles=ALL_PROFILES):
        self._field = array("H", bytes(10))  # A, B, C, D, E of the last OBIS code
        self._mbus_type = bytearray(5)  # device type per M-Bus channel 1..4
        self._index = {}  # OBIS key -> row
        # CPython only: OBIS code bytes exactly as tables spell them -> row, so the common
        # case costs one C-level slice and hash instead of a Python loop per character.
        # MicroPython keeps the loop: a slice would allocate on every line.
        self._raw = None if sys.implementation.name == "micropython" else {}
        channels_of_rows = []
        kinds = []
        slots = []
        slots2 = []
        for name in profiles:
            for obis, kind, slot, slot2 in PROFILES[name]:
                channels = range(1, 5) if obis.startswith("0-n:") else (None,)
                for ch in channels:
                    code = obis if ch is None else "0-%d:%s" % (ch, obis[4:])
                    raw = code.encode()
                    key = self._obis(raw, 0, len(raw))
                    if key < 0:
                        raise ValueError("bad OBIS code in profile table: " + code)
                    self._index[key] = len(kinds)
                    if self._raw is not None:
                        self._raw[raw] = len(kinds)
                    channels_of_rows.append(self._field[1])
                    kinds.append(kind)
                    slots.append(slot)
                    slots2.append(slot2)
        self._kind = bytes(kinds)
        self._slot = bytes(slots)
        self._slot2 = bytes(slots2)
        self._channel = bytes(channels_of_rows)  # B group (M-Bus channel) of each row
        if self._raw is not None:
            self._number = self._number_cpython
        self.line_start = array("H", bytes(2 * MAX_LINES))  # raw access to every object
        self.n_lines = 0
        self._cont = -1  # row waiting for a DSMR 2.2 continuation line
        self._prev_kept = False  # the previous line was an object (continuations attach)
        self._stop = 0  # _number(): index after the number
        self._dec = 0  # _number(): decimals sent
        self._err = False  # _number() / _time(): value rejected
        # counters
        self.telegrams = 0
        self.objects = 0
        self.unknown = 0
        self.malformed = 0
        self.errors = 0  # internal errors caught (a bug if ever non-zero)

    # --- public -------------------------------------------------------------------------
    def parse(self, buf, n, reading):
        """Decode the telegram buf[:n] ("/" .. "!") into reading. Returns True on success."""
        reading.clear()
        if self._raw is not None:
            buf = bytes(buf[:n])  # CPython: slices of bytes are hashable for the raw lookup
        try:
            self._parse(buf, n, reading)
        except Exception:  # never reached on well-formed or malformed input; belt and braces
            self.errors += 1
            return False
        self.telegrams += 1
        return True

    def stats(self):
        return {
            "telegrams": self.telegrams,
            "objects": self.objects,
            "unknown": self.unknown,
            "malformed": self.malformed,
            "errors": self.errors,
        }

    # --- line walking -------------------------------------------------------------------
    def _parse(self, buf, n, reading):
        mbus = self._mbus_type
        for i in range(5):
            mbus[i] = 0
        self._cont = -1
        self._prev_kept = False
        self.n_lines = 0
        # Identification line "/XXX5ident"; a few meters send no blank line after it
        # (Kamstrup DSMR 2.2, DSMR 4.2 spec example), so nothing else is assumed.
        nl = buf.find(b"\n", 0, n)
        end = n - 1 if nl < 0 else nl
        if end > 1 and buf[end - 1] == 0x0D:
            end -= 1
        reading.set_ident(buf, 1, end)
        i = n if nl < 0 else nl + 1
        while i < n:
            nl = buf.find(b"\n", i, n)
            end = n if nl < 0 else nl
            nxt = end + 1
            if end > i and buf[end - 1] == 0x0D:  # CRLF, or bare LF (some captures)
                end -= 1
            if end > i and buf[i] != 0x21:  # skip blank lines and the "!" end line
                self._line(buf, i, end, reading)
            i = nxt
        reading.derive()

    def _remember(self, start):
        if self.n_lines < MAX_LINES:
            self.line_start[self.n_lines] = start
            self.n_lines += 1

    def _line(self, buf, start, end, reading):
        if buf[start] == 0x28:  # "(" continuation line (DSMR 2.2 gas value)
            if self._prev_kept:
                self._remember(start)
            row = self._cont
            self._cont = -1
            if row >= 0:
                close = buf.find(b")", start + 1, end)
                if close > 0:
                    self._decimal(buf, start + 1, close, reading, self._slot[row])
            return
        self._cont = -1
        self._prev_kept = False
        paren = buf.find(b"(", start, end)
        if paren < 0:
            self.malformed += 1
            return
        if self._raw is not None:
            row = self._raw.get(buf[start:paren], -1)
            if row >= 0:
                self._field[1] = self._channel[row]
                if self.n_lines < MAX_LINES:
                    self.line_start[self.n_lines] = start
                    self.n_lines += 1
                self._prev_kept = True
                self.objects += 1
                close = buf.find(b")", paren + 1, end)
                if close < 0:
                    self.malformed += 1
                    return
                if self._kind[row] == P_SI:  # most lines of a Swedish telegram
                    self._scaled(buf, paren + 1, close, reading, self._slot[row])
                else:
                    self._apply(buf, row, paren + 1, close, end, reading)
                return
        key = self._obis(buf, start, paren)
        if key == _BAD:  # e.g. "1-0:99:97.0(...)" in the DSMR 4.0 spec example
            self.malformed += 1
            return
        self._remember(start)
        self._prev_kept = True
        self.objects += 1
        row = self._index.get(key, -1) if key >= 0 else -1
        if row < 0:
            self.unknown += 1
            return
        close = buf.find(b")", paren + 1, end)
        if close < 0:
            self.malformed += 1
            return
        self._apply(buf, row, paren + 1, close, end, reading)

    def _apply(self, buf, row, gs, ge, end, reading):
        """Decode the groups of one known object; [gs, ge) is the first group's content."""
        kind = self._kind[row]
        slot = self._slot[row]
        if kind == P_SI:
            self._scaled(buf, gs, ge, reading, slot)
        elif kind == P_DEC:
            self._decimal(buf, gs, ge, reading, slot)
        elif kind == P_INT:
            vend = self._value_end(buf, gs, ge)
            v = self._number(buf, gs, vend, 0)
            if self._check(buf, vend):
                self._store(reading, slot, v, 0)
        elif kind == P_TIME:
            self._time(buf, gs, ge, reading, slot)
        elif kind == P_MBUS_TYPE:
            vend = self._value_end(buf, gs, ge)
            v = self._number(buf, gs, vend, 0)
            if self._check(buf, vend) and 0 <= v <= 255:
                self._mbus_type[self._field[1]] = v
        else:
            # Multi-group objects: first group is a time, the value is in the last group.
            ls = ge + 1
            ts = gs
            te = ge
            while ls < end and buf[ls] == 0x28:
                close = buf.find(b")", ls + 1, end)
                if close < 0:
                    break
                gs = ls + 1
                ge = close
                ls = close + 1
            if kind == P_TIME_SI:
                if ge > te:  # a second group exists
                    self._scaled(buf, gs, ge, reading, slot)
                    if reading.present[slot]:
                        self._time(buf, ts, te, reading, self._slot2[row])
            elif kind == P_MBUS_VALUE:
                self._mbus_value(buf, ts, te, gs, ge, reading)
            elif kind == P_GAS_DSMR22:
                # "0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)" + "(00001.001)" next line
                self._time(buf, ts, te, reading, self._slot2[row])
                self._cont = row

    # --- values -------------------------------------------------------------------------
    def _mbus_value(self, buf, ts, te, gs, ge, reading):
        if ge == te:
            return  # only one group: no value
        star = buf.find(b"*", gs, ge)
        if star < 0:
            # Iskra AM550 sends "0-1:24.2.1(700101010000W)(00000000)" for an empty channel:
            # a real M-Bus reading always carries its unit, so a bare number is a placeholder.
            return
        unit = buf[star + 1] | 0x20 if star + 1 < ge else 0
        if unit == 0x67:  # "GJ": heat (Warmtelink)
            vslot = HEAT_GJ
            tslot = HEAT_TIME
        elif self._mbus_type[self._field[1]] == _MBUS_WATER:
            vslot = WATER_M3
            tslot = WATER_TIME
        else:
            vslot = GAS_M3
            tslot = GAS_TIME
        if reading.present[vslot]:
            return  # first channel of a kind wins
        self._decimal(buf, gs, star, reading, vslot)
        if reading.present[vslot]:
            self._time(buf, ts, te, reading, tslot)

    def _scaled(self, buf, gs, ge, reading, slot):
        """Value with unit W/Wh/var/varh/VA, optionally k-prefixed, case-insensitive
        (kvarh on Sagemcom/Ellevio, kVArh on Aidon), -> integer in the base unit."""
        star = buf.find(b"*", gs, ge)
        if star >= 0:
            vend = star
            unit = star + 1
        else:
            # Unit glued to the value ("00.013kW") or absent: find where the number ends.
            self._number(buf, gs, ge, 0)
            vend = self._stop
            unit = vend
        want = 3  # no unit: DSMR and the Swedish recommendation define kW / kWh
        if unit < ge:
            c = buf[unit] | 0x20
            if c == 0x6B:  # "k"
                unit += 1
            else:
                want = 0
            if unit >= ge:
                self.malformed += 1
                return
            c = buf[unit] | 0x20
            if c != 0x77 and c != 0x76:  # "W"/"w" or "V"/"v" (var, varh, VA)
                self.malformed += 1
                return
        v = self._number(buf, gs, vend, want)
        if self._err or self._stop != vend:
            self.malformed += 1
            return
        reading.value[slot] = v
        reading.decimals[slot] = 0
        reading.present[slot] = 1

    def _value_end(self, buf, gs, ge):
        star = buf.find(b"*", gs, ge)
        return ge if star < 0 else star

    def _decimal(self, buf, gs, ge, reading, slot):
        vend = self._value_end(buf, gs, ge)
        v = self._number(buf, gs, vend, -1)
        if self._check(buf, vend):
            self._store(reading, slot, v, self._dec)

    def _check(self, buf, vend):
        """After _number(): the value was a valid number filling its span."""
        if self._err or self._stop != vend:
            self.malformed += 1
            return False
        return True

    def _store(self, reading, slot, value, decimals):
        reading.value[slot] = value
        reading.decimals[slot] = decimals
        reading.present[slot] = 1

    def _number_cpython(self, buf, s, e, want):
        """CPython: the same result as _number() for plain "digits[.digits]" through C-level
        isdigit/int on slices; anything else (sign, glued unit, overflow) takes the loop."""
        dot = buf.find(b".", s, e)
        whole = buf[s:e] if dot < 0 else buf[s:dot]
        frac = b"" if dot < 0 else buf[dot + 1:e]
        if not whole.isdigit() or (frac and not frac.isdigit()):
            return Parser._number(self, buf, s, e, want)
        kept = frac if want < 0 else frac[:want]
        digits = whole + kept
        if len(digits) > _MAX_SIG_DIGITS and len(digits.lstrip(b"0")) > _MAX_SIG_DIGITS:
            return Parser._number(self, buf, s, e, want)
        v = int(digits)
        if want < 0:
            self._dec = len(frac)
        else:
            if want - len(kept) >= len(_POW10):
                return Parser._number(self, buf, s, e, want)
            v *= _POW10[want - len(kept)]
            if v > 2147483647:
                return Parser._number(self, buf, s, e, want)
            if len(frac) > want and frac[want] >= 0x35:
                v += 1
        self._stop = e
        self._err = False
        return v

    def _number(self, buf, s, e, want):
        """Parse [-]digits[.digits] from buf[s:e] without floats or allocation.

        want >= 0: return the value scaled to `want` decimals, rounded half up on the next
        digit ("00052185.7825309" kWh -> 52185783 Wh); want < 0: keep the decimals as sent
        (in self._dec). Sets self._stop (index after the number) and self._err."""
        self._err = True
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
                            self._stop = i
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
        self._stop = i
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
            self._dec = frac
        self._err = False
        return -v if neg else v

    def _time(self, buf, s, e, reading, slot):
        """YYMMDDhhmmss[W|S] -> value YYMMDD, aux hhmmss, decimals = DST flag."""
        if e - s < 12 or e - s > 13:
            self.malformed += 1
            return
        date = 0
        clock = 0
        for i in range(s, s + 12):
            c = buf[i] - 0x30
            if c < 0 or c > 9:
                self.malformed += 1
                return
            if i < s + 6:
                date = date * 10 + c
            else:
                clock = clock * 10 + c
        month = date // 100 % 100
        day = date % 100
        # e-MUCS sends "632525252525W" as an empty peak-history timestamp: rejected here.
        if not (1 <= month <= 12 and 1 <= day <= 31 and clock < 240000):
            self.malformed += 1
            return
        if clock // 100 % 100 > 59 or clock % 100 > 59:
            self.malformed += 1
            return
        dst = DST_NONE
        if e - s == 13:
            c = buf[s + 12]
            if c == 0x53:  # "S" summer time (DST active)
                dst = DST_SUMMER
            elif c == 0x57:  # "W" winter / normal time
                dst = DST_WINTER
            else:
                self.malformed += 1
                return
        reading.value[slot] = date
        reading.aux[slot] = clock
        reading.decimals[slot] = dst
        reading.present[slot] = 1

    # --- OBIS codes ---------------------------------------------------------------------
    def _obis(self, buf, s, e):
        """Parse "A-B:C.D.E" (optionally "*F", e.g. EasyMeter's "1-0:1.8.0*255") from
        buf[s:e] into self._field; return a table key, _UNKNOWN or _BAD."""
        f = self._field
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
                    return _BAD
            else:
                if nd == 0:
                    return _BAD
                if field == 4 and c == 0x2A:  # "*F" suffix: the value group, ignored
                    break
                if not (
                    (field == 0 and c == 0x2D)
                    or (field == 1 and c == 0x3A)
                    or ((field == 2 or field == 3) and c == 0x2E)
                ):
                    return _BAD
                f[field] = v
                field += 1
                v = 0
                nd = 0
            i += 1
        if field != 4 or nd == 0:
            return _BAD
        f[4] = v
        a = f[0]
        b = f[1]
        c = f[2]
        if a > 1 or b > 15 or c > 127 or f[3] > 255 or v > 255:
            return _UNKNOWN
        # < 2**28: a small int on every MicroPython port
        return ((a * 16 + b) * 128 + c) * 65536 + f[3] * 256 + v

    def obis_text(self):
        """The last parsed OBIS code as text (allocates: tools and tokenizer only)."""
        f = self._field
        return "%d-%d:%d.%d.%d" % (f[0], f[1], f[2], f[3], f[4])
