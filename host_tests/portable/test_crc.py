# CRC-16/ARC variants agree with each other and with the bitwise reference.
import os

from hanport.core import native
from telegen import crc16_arc as reference


def test_known_answer():
    check = bytearray(b"123456789")
    assert native.crc16_arc(check, 0, 9) == 0xBB3D
    assert native.crc16_arc_portable(check, 0, 9) == 0xBB3D


def test_variants_agree_on_every_length_and_offset():
    data = bytearray(os.urandom(300))
    for length in range(0, 70):
        for start in (0, 1, 3):
            end = start + length
            want = reference(data[start:end])
            assert native.crc16_arc(data, start, end) == want, (start, length)
            assert native.crc16_arc_portable(data, start, end) == want


def test_bytes_and_bytearray_inputs():
    data = os.urandom(101)
    assert native.crc16_arc(data, 0, 101) == reference(data)


def test_copy_into():
    dst = bytearray(8)
    native.copy_into(dst, 2, b"abcdef", 1, 4)
    assert dst == bytearray(b"\x00\x00bcd\x00\x00\x00")
