# Telegram parser: one pass over the lines of a framed telegram, OBIS code -> table row ->
# exact fixed-point integers in a Reading. Never allocates after construction, never raises:
# malformed lines are skipped and counted, unknown objects are counted and kept raw.
# Pure core: must not import machine, network, socket, time or asyncio.
from array import array

from hanport.core.const import const
from hanport.core.fields import GAS_M3, GAS_TIME, HEAT_GJ, HEAT_TIME, WATER_M3, WATER_TIME
from hanport.core.p1.lexer import BAD, Scanner
from hanport.core.p1.profiles import (
    ALL_PROFILES,
    P_DEC,
    P_GAS_DSMR22,
    P_INT,
    P_MBUS_TYPE,
    P_MBUS_VALUE,
    P_PEAK_HISTORY,
    P_SI,
    P_TEXT,
    P_TIME,
    P_TIME_SI,
)
from hanport.core.reading import HISTORY_CAP

MAX_LINES = const(160)  # object lines remembered for raw access (Sanxing SX631: 58)
_MBUS_WATER = const(7)  # EN 13757-3 device type on 0-n:24.1.0


class Parser:
    def __init__(self, profiles=ALL_PROFILES, portable=None):
        """portable=True forces the allocation-free paths on CPython too (tests compare)."""
        self._scan = scan = Scanner(portable)
        self._field = scan.field  # A, B, C, D, E of the last OBIS code
        self._mbus_type = bytearray(5)  # device type per M-Bus channel 1..4
        self._index = {}  # OBIS key -> row
        # CPython only: OBIS code bytes exactly as tables spell them -> row, so the common
        # case costs one C-level slice and hash instead of a Python loop per character.
        # MicroPython keeps the loop: a slice would allocate on every line.
        self._raw = None if scan.portable else {}
        # The tables only while the index is built: svc/meter.py unloads them after (~4.5 KB).
        from hanport.core.p1.profiles import PROFILES

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
                    key = scan.obis(raw, 0, len(raw))
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
        self.line_start = array("H", bytes(2 * MAX_LINES))  # raw access to every object
        self.n_lines = 0
        self._cont = -1  # row waiting for a DSMR 2.2 continuation line
        self._prev_kept = False  # the previous line was an object (continuations attach)
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
        key = self._scan.obis(buf, start, paren)
        if key == BAD:  # e.g. "1-0:99:97.0(...)" in the DSMR 4.0 spec example
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
            v = self._scan.number(buf, gs, vend, 0)
            if self._check(buf, vend):
                self._store(reading, slot, v, 0)
        elif kind == P_TIME:
            self._time(buf, gs, ge, reading, slot)
        elif kind == P_TEXT:
            reading.set_text(buf, gs, ge)
            reading.present[slot] = 1
        elif kind == P_PEAK_HISTORY:
            self._peak_history(buf, gs, ge, end, reading, slot)
        elif kind == P_MBUS_TYPE:
            vend = self._value_end(buf, gs, ge)
            v = self._scan.number(buf, gs, vend, 0)
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
        v = self._si_value(buf, gs, ge)
        if self._scan.err:
            self.malformed += 1
            return
        reading.value[slot] = v
        reading.decimals[slot] = 0
        reading.present[slot] = 1

    def _si_value(self, buf, gs, ge):
        """Value with unit W/Wh/var/varh/VA, optionally k-prefixed, case-insensitive
        (kvarh on Sagemcom/Ellevio, kVArh on Aidon), -> integer in the base unit.
        On a bad value or unit, self._scan.err is set."""
        scan = self._scan
        star = buf.find(b"*", gs, ge)
        if star >= 0:
            vend = star
            unit = star + 1
        else:
            # Unit glued to the value ("00.013kW") or absent: find where the number ends.
            scan.number(buf, gs, ge, 0)
            vend = scan.stop
            unit = vend
        want = 3  # no unit: DSMR and the Swedish recommendation define kW / kWh
        if unit < ge:
            c = buf[unit] | 0x20
            if c == 0x6B:  # "k"
                unit += 1
            else:
                want = 0
            c = buf[unit] | 0x20 if unit < ge else 0
            if c != 0x77 and c != 0x76:  # "W"/"w" or "V"/"v" (var, varh, VA)
                scan.err = True
                return 0
        v = scan.number(buf, gs, vend, want)
        if scan.stop != vend:
            scan.err = True
        return v

    def _peak_history(self, buf, gs, ge, end, reading, slot):
        # e-MUCS: "(n)(1-0:1.6.0)(1-0:1.6.0)" then n x "(month start)(peak time)(value*kW)".
        # The Hungarian Sagemcom's billing record under the same code starts with a time
        # and has no count: it is left raw.
        scan = self._scan
        if ge - gs > 2:
            return
        hist = reading.history
        k = 0  # group number after the first
        n = 0  # complete entries
        i = ge + 1
        while i < end and buf[i] == 0x28 and n < HISTORY_CAP:
            close = buf.find(b")", i + 1, end)
            if close < 0:
                break
            part = (k - 2) % 3
            base = 4 * n
            if k < 2:
                pass  # the two OBIS references
            elif part == 0:
                if not scan.timestamp(buf, i + 1, close):
                    break
                hist[base] = scan.date
            elif part == 1:
                if scan.timestamp(buf, i + 1, close):
                    hist[base + 1] = scan.date
                    hist[base + 2] = scan.clock
                else:  # "632525252525W": no peak recorded that month
                    hist[base + 1] = 0
                    hist[base + 2] = -1
            else:
                v = self._si_value(buf, i + 1, close)
                if scan.err:
                    break
                hist[base + 3] = v
                n += 1
            k += 1
            i = close + 1
        reading.history_len = n
        reading.present[slot] = 1

    def _value_end(self, buf, gs, ge):
        star = buf.find(b"*", gs, ge)
        return ge if star < 0 else star

    def _decimal(self, buf, gs, ge, reading, slot):
        vend = self._value_end(buf, gs, ge)
        v = self._scan.number(buf, gs, vend, -1)
        if self._check(buf, vend):
            self._store(reading, slot, v, self._scan.dec)

    def _check(self, buf, vend):
        """After Scanner.number(): the value was a valid number filling its span."""
        if self._scan.err or self._scan.stop != vend:
            self.malformed += 1
            return False
        return True

    def _store(self, reading, slot, value, decimals):
        reading.value[slot] = value
        reading.decimals[slot] = decimals
        reading.present[slot] = 1

    def _time(self, buf, s, e, reading, slot):
        """YYMMDDhhmmss[W|S] -> value YYMMDD, aux hhmmss, decimals = DST flag."""
        scan = self._scan
        if not scan.timestamp(buf, s, e):
            self.malformed += 1
            return
        reading.value[slot] = scan.date
        reading.aux[slot] = scan.clock
        reading.decimals[slot] = scan.dst
        reading.present[slot] = 1
