# Whether a telegram without a CRC may come from a meter whose protocol has none (issue 13).
# Loaded by core/p1/decoder.py only when such a telegram arrives (never for Swedish meters).
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const

_DSMR_CRC_VERSION = const(40)  # DSMR 4.0 made the CRC mandatory (P1 companion standard 4.0 §6.2)


def sent_by_crc_less_meter(buf, n):
    """True when a telegram may come from a protocol without a CRC: DSMR 2.2/3 or IEC 62056-21
    (no "1-3:0.2.8" version object, or one below 40). DSMR >= 4 and e-MUCS (0-0:96.1.4) telegrams
    always carry a CRC, and so do Swedish ones (Energiföretagen's recommendation), which like
    every DSMR >= 4 meter send the date-time 0-0:1.0.0 that DSMR 2.2/3 has not."""
    if buf.find(b"\n0-0:1.0.0(", 0, n) >= 0 or buf.find(b"\n0-0:96.1.4(", 0, n) >= 0:
        return False
    at = buf.find(b"\n1-3:0.2.8(", 0, n)
    if at < 0:
        return True
    version = 0
    i = at + 11
    while i < n and 0x30 <= buf[i] <= 0x39 and version < 1000:
        version = version * 10 + buf[i] - 0x30
        i += 1
    return version < _DSMR_CRC_VERSION
