# One decoded telegram as fixed-point integers in preallocated arrays: values, decimals,
# a presence flag per slot (a field the meter did not send is absent, never 0), meter id.
# Pure core: must not import machine, network, socket, time or asyncio.
import sys
from array import array
from binascii import unhexlify

from hanport.core.const import const
from hanport.core.fields import (
    FIELDS,
    N_SLOTS,
    OUT_DEC,
    OUT_HISTORY,
    OUT_TEXT,
    OUT_TIME,
    POWER_EXPORT,
    POWER_IMPORT,
    POWER_NET,
)
from hanport.core.native import copy_into

ID_CAP = const(64)  # longest identification line kept; longer ones are cut (DSMR: <= 96)
TEXT_CAP = const(128)  # text message bytes kept (DSMR allows 2048 hex digits; cut, not refused)
HISTORY_CAP = const(13)  # e-MUCS keeps 13 months of peaks

DST_WINTER = const(0)
DST_SUMMER = const(1)
DST_NONE = const(2)


class Reading:
    """Values of one telegram. For OUT_TIME slots: value = YYMMDD, aux = hhmmss,
    decimals = DST_WINTER / DST_SUMMER / DST_NONE. For OUT_DEC slots the number is
    value / 10**decimals."""

    def __init__(self):
        self.value = array("i", bytes(4 * N_SLOTS))
        self.aux = array("i", bytes(4 * N_SLOTS))
        self.decimals = bytearray(N_SLOTS)
        self.present = bytearray(N_SLOTS)
        self.ident = bytearray(ID_CAP)
        self.ident_len = 0
        self.text = bytearray(TEXT_CAP)
        self.text_len = 0
        # peak history: per entry month YYMMDD, peak YYMMDD, peak hhmmss (-1: none), W
        self.history = array("i", bytes(4 * 4 * HISTORY_CAP))
        self.history_len = 0

    def clear(self):
        present = self.present
        for i in range(N_SLOTS):
            present[i] = 0
        self.ident_len = 0

    def set_ident(self, buf, start, end):
        if end - start > ID_CAP:
            end = start + ID_CAP
        copy_into(self.ident, 0, buf, start, end)
        self.ident_len = end - start

    def set_text(self, buf, start, end):
        if end - start > TEXT_CAP:
            end = start + TEXT_CAP
        copy_into(self.text, 0, buf, start, end)
        self.text_len = end - start

    def derive(self):
        """Fill derived slots: power_w = import - export (when the meter sends either)."""
        present = self.present
        if present[POWER_IMPORT] or present[POWER_EXPORT]:
            net = 0
            if present[POWER_IMPORT]:
                net = self.value[POWER_IMPORT]
            if present[POWER_EXPORT]:
                net -= self.value[POWER_EXPORT]
            self.value[POWER_NET] = net
            present[POWER_NET] = 1

    def meter_id(self):
        return latin1(self.ident, 0, self.ident_len)

    def to_dict(self):
        """Plain dict: ints, strings, bools, and Decimal-free fixed point as (mantissa,
        decimals) pairs turned into strings by the JSON writer. Allocates: outputs only."""
        out = {}
        if self.ident_len:
            out["meter_id"] = self.meter_id()
        for slot in range(N_SLOTS):
            if not self.present[slot]:
                continue
            name, kind = FIELDS[slot]
            if kind == OUT_TIME:
                out[name] = format_time(self.value[slot], self.aux[slot])
                if slot == 26 and self.decimals[slot] != DST_NONE:
                    out["meter_dst"] = self.decimals[slot] == DST_SUMMER
            elif kind == OUT_DEC:
                out[name] = Fixed(self.value[slot], self.decimals[slot])
            elif kind == OUT_TEXT:
                out[name] = text_message(self.text, self.text_len)
            elif kind == OUT_HISTORY:
                out[name] = self._history_list()
            else:
                out[name] = self.value[slot]
        return out

    def _history_list(self):
        h = self.history
        out = []
        for k in range(self.history_len):
            i = 4 * k
            entry = {"month": format_time(h[i], 0), "power_w": h[i + 3]}
            # e-MUCS sends "632525252525W" for a month without a recorded peak
            entry["time"] = format_time(h[i + 1], h[i + 2]) if h[i + 2] >= 0 else None
            out.append(entry)
        return out


def text_message(buf, n):
    """DSMR 4/5 send the text message as hex ("3031..." -> "01..."); older meters as text."""
    if n and n % 2 == 0:
        try:
            raw = unhexlify(bytes(buf[:n]))
            return latin1(raw, 0, len(raw))
        except ValueError:
            pass
    return latin1(buf, 0, n)


class Fixed:
    """A decimal number as sent (mantissa, decimals), written to JSON without floats."""

    def __init__(self, mantissa, decimals):
        self.mantissa = mantissa
        self.decimals = decimals

    def __str__(self):
        m = self.mantissa
        d = self.decimals
        sign = "-" if m < 0 else ""
        m = -m if m < 0 else m
        if d == 0:
            return sign + str(m)
        s = str(m)
        if len(s) <= d:
            s = "0" * (d - len(s) + 1) + s
        return sign + s[:-d] + "." + s[-d:]

    def __eq__(self, other):
        return isinstance(other, Fixed) and str(self) == str(other)

    def __repr__(self):
        return "Fixed(%s)" % self


def format_time(date, clock):
    """YYMMDD, hhmmss integers -> 'YYYY-MM-DDTHH:MM:SS' (meter local time, 2000-2099)."""
    return "20%02d-%02d-%02dT%02d:%02d:%02d" % (
        date // 10000,
        date // 100 % 100,
        date % 100,
        clock // 10000,
        clock // 100 % 100,
        clock % 100,
    )


def latin1(buf, start, end):
    """Bytes -> str mapping each byte to the code point of the same number (MicroPython has
    no latin-1 codec). Meter headers carry stray 0x02/0xAB bytes (see corpus notes)."""
    for i in range(start, end):
        if buf[i] >= 0x80:
            return "".join([chr(buf[j]) for j in range(start, end)])
    return bytes(buf[start:end]).decode()


if sys.implementation.name != "micropython":  # CPython has the codec: the same text, in C

    def latin1(buf, start, end):  # noqa: F811
        return bytes(buf[start:end]).decode("latin-1")
