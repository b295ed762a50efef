#!/usr/bin/env python3
# Binary HAN frames from the same generated meter as telegen.py: HDLC (type 3, HCS/FCS by a
# bitwise CRC-16/X.25 of its own) around a DLMS data-notification in the Swedish Aidon list
# style (OBIS, value, scaler/unit per element; se_aidon-hdlc_1). Runs on CPython and MicroPython.
# Usage: hdlcgen.py [--count N] [--seed S] [--interval S]   (binary frames on stdout)
import sys

from telegen import SwedishMeter, crc16_reflected


def crc16_x25(data):
    return crc16_reflected(data, 0x8408, 0xFFFF, 0xFFFF)  # poly 0x1021 reflected


def _obis(c, d):
    return bytes((0x09, 6, 1, 0, c, d, 0, 255))


def _element(c, d, tag, value, scaler, unit):
    size = {0x06: 4, 0x10: 2, 0x12: 2}[tag]
    raw = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
    return bytes((0x02, 3)) + _obis(c, d) + bytes((tag,)) + raw + bytes((0x02, 2, 0x0F, scaler & 0xFF, 0x16, unit))


def _datetime(stamp, dst):
    """YYMMDDhhmmss + W/S -> COSEM date-time, deviation -60/-120 min and the DST status bit."""
    y, mo, d, h, mi, s = (int(stamp[k : k + 2]) for k in range(0, 12, 2))
    deviation = (-120 if dst == "S" else -60) & 0xFFFF
    year = 2000 + y
    head = bytes((year >> 8, year & 0xFF, mo, d, 0xFF, h, mi, s, 0xFF))
    return head + deviation.to_bytes(2, "big") + bytes((0x80 if dst == "S" else 0,))


TITLE = b"HNP\x00\x01\x02\x03\x04"  # the generated meter's system title (manufacturer id + serial)


def glo_ciphering(apdu, key, counter):
    """The APDU as general-glo-ciphering (DB), AES-128-GCM with authentication and encryption
    (security control 0x30), as Norwegian/Danish/Austrian meters send it. CPython only
    (PyPI cryptography): the independent reference the decoder's decryption is tested against."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    control = 0x30
    iv = TITLE + counter.to_bytes(4, "big")
    sealed = AESGCM(key).encrypt(iv, apdu, bytes((control,)))  # AAD: control (+ auth key, none here)
    body = bytes((control,)) + counter.to_bytes(4, "big") + sealed[:-16] + sealed[-16:-4]  # 12-byte tag
    size = len(body)
    length = bytes((size,)) if size < 128 else bytes((0x81, size)) if size < 256 else bytes((0x82, size >> 8, size & 0xFF))
    return bytes((0xDB, 8)) + TITLE + length + body


def aidon_frame(meter, key=None, counter=1):
    """One HDLC frame with the meter's next values (Wh, W, var, varh, 0.1 V, 0.1 A), encrypted
    when a 16-byte key is given."""
    phases, totals, stamp, dst = meter._advance()
    t = meter.truth
    t.pop("meter_id")  # the Swedish Aidon list carries no meter id
    els = [bytes((0x02, 2)) + bytes((0x09, 6, 0, 0, 1, 0, 0, 255)) + bytes((0x09, 12)) + _datetime(stamp, dst)]
    for k in range(4):
        els.append(_element(k + 1, 7, 0x06, totals[k], 0, (27, 27, 29, 29)[k]))
    for ph, c in enumerate((21, 41, 61)):
        for k in range(4):
            els.append(_element(c + k, 7, 0x06, phases[ph][k], 0, (27, 27, 29, 29)[k]))
    for ph, c in enumerate((32, 52, 72)):
        els.append(_element(c, 7, 0x12, phases[ph][4], -1, 35))
    for ph, c in enumerate((31, 51, 71)):
        els.append(_element(c, 7, 0x10, phases[ph][5], -1, 33))
    for k in range(4):
        els.append(_element(k + 1, 8, 0x06, meter.energy[k], 0, (30, 30, 32, 32)[k]))
    apdu = bytes((0x0F, 0x40, 0, 0, 0, 0x00, 0x01, len(els))) + b"".join(els)
    if key is not None:
        apdu = glo_ciphering(apdu, key, counter)
    return hdlc_frame(b"\xe6\xe7\x00" + apdu)  # LLC + APDU


def hdlc_frame(info):
    """An information field (LLC + APDU) in a type-3 HDLC frame with HCS and FCS, flags included."""
    length = 2 + 1 + 2 + 1 + 2 + len(info) + 2  # format, dest, source(2), control, HCS, info, FCS
    head = bytes((0xA0 | length >> 8, length & 0xFF, 0x41, 0x08, 0x83, 0x13))
    head += crc16_x25(head).to_bytes(2, "little")
    body = head + info
    return b"\x7e" + body + crc16_x25(body).to_bytes(2, "little") + b"\x7e"


def main(argv):
    count, seed, interval = 1, 1, 10
    for i in range(0, len(argv) - 1, 2):
        if argv[i] == "--count":
            count = int(argv[i + 1])
        elif argv[i] == "--seed":
            seed = int(argv[i + 1])
        elif argv[i] == "--interval":
            interval = int(argv[i + 1])
    meter = SwedishMeter(seed, "aidon", interval)
    for _ in range(count):
        sys.stdout.buffer.write(aidon_frame(meter))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
