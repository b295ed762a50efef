# Hot-path primitives for the framer: CRC-16/ARC over a buffer slice and a byte copy.
# Picks the fastest variant the runtime offers: viper (compiled at run time on MicroPython,
# so mpy-cross never needs -march), a 64 K word table on CPython, a plain table loop elsewhere.
# Must not import machine, network, socket, time or asyncio.
import sys
from array import array

_IS_MICROPYTHON = sys.implementation.name == "micropython"


def reflected_table(poly):
    """Byte table of a reflected 16-bit CRC (e.g. 0xA001 for CRC-16/ARC, 0x8408 for X.25)."""
    table = array("H", bytes(512))
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table[i] = c
    return table


# CRC-16/ARC: poly 0x8005 reflected (0xA001), init 0, no final xor (IEC 62056-21 / DSMR P1).
_T = reflected_table(0xA001)


def crc16_arc_portable(buf, start, end):
    """CRC-16/ARC of buf[start:end]; allocation-free table loop, runs on any Python."""
    crc = 0
    table = _T
    for i in range(start, end):
        crc = (crc >> 8) ^ table[(crc ^ buf[i]) & 0xFF]
    return crc


def copy_portable(dst, dpos, src, start, end):
    """dst[dpos:dpos+end-start] = src[start:end] without allocating (MicroPython-safe)."""
    for i in range(start, end):
        dst[dpos] = src[i]
        dpos += 1


# --- MicroPython: viper variants, compiled by the on-device compiler when it has a native
# emitter (ESP32: xtensawin, C3: rv32imc, unix: x64). Kept as source text because mpy-cross
# refuses viper code without -march, and every firmware file must compile with plain mpy-cross.
_VIPER_SRC = """
@micropython.viper
def crc16_viper(buf: ptr8, start: int, end: int, table: ptr16) -> int:
    crc = 0
    i = start
    while i < end:
        crc = (crc >> 8) ^ table[(crc ^ buf[i]) & 0xFF]
        i += 1
    return crc

@micropython.viper
def copy_viper(dst: ptr8, dpos: int, src: ptr8, start: int, end: int):
    i = start
    while i < end:
        dst[dpos] = src[i]
        dpos += 1
        i += 1
"""


def _load_viper():
    scope = {}
    try:
        import micropython  # noqa: F401  (name used by the decorator inside the source)

        scope["micropython"] = micropython
        exec(_VIPER_SRC, scope)
        probe = bytearray(b"123456789")
        # Known answer: CRC-16/ARC("123456789") = 0xBB3D.
        if scope["crc16_viper"](probe, 0, 9, _T) != 0xBB3D:
            return None
        return scope
    except Exception:  # no native emitter in this build: keep the portable loops
        return None


# --- CPython: a 65,536-entry table advances the CRC by two bytes per step. CRC-16 is linear,
# so after xoring a 16-bit little-endian word w into the register, the next register is
# T[lo] >> 8 ^ T[T[lo] & 0xFF] ^ T[hi] with lo/hi the bytes of (crc ^ w). 128 KB of RAM:
# host only.
def _word_table():
    t = _T
    lo = [(t[v] >> 8) ^ t[t[v] & 0xFF] for v in range(256)]
    return [lo[x & 0xFF] ^ t[x >> 8] for x in range(65536)]


def _make_cpython_crc():
    words = _word_table()
    little = sys.byteorder == "little"

    def crc16_words(buf, start, end):
        n = (end - start) & ~1
        mv = memoryview(buf)[start : start + n]
        crc = 0
        if little:
            for w in mv.cast("H"):
                crc = words[crc ^ w]
        else:
            for w in array("H", mv):
                w = ((w & 0xFF) << 8) | (w >> 8)
                crc = words[crc ^ w]
        if n != end - start:
            crc = (crc >> 8) ^ _T[(crc ^ buf[end - 1]) & 0xFF]
        return crc

    def copy_slice(dst, dpos, src, start, end):
        dst[dpos : dpos + end - start] = src[start:end]

    return crc16_words, copy_slice


if _IS_MICROPYTHON:
    _viper = _load_viper()
    if _viper is not None:
        _crc_v = _viper["crc16_viper"]
        copy_into = _viper["copy_viper"]

        def crc16_arc(buf, start, end):
            return _crc_v(buf, start, end, _T)

        VARIANT = "viper"
    else:
        crc16_arc = crc16_arc_portable
        copy_into = copy_portable
        VARIANT = "portable"
else:
    crc16_arc, copy_into = _make_cpython_crc()
    VARIANT = "cpython-words"
