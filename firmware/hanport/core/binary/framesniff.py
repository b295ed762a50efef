# Recognises binary HDLC frames in a byte stream while the meter's format is searched: only
# the frame checks, computed as bytes pass (no frame buffer). Loaded by the meter service during
# the search only. Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.native import reflected_table


class FrameSniffer:
    """Recognises binary HDLC frames (type 3 format, FCS = CRC-16/X.25) without keeping them:
    the checksum is computed as the bytes pass, so the search costs no frame buffer. feed()
    returns the number of frames with a valid FCS that ended in data[start:end]."""

    def __init__(self):
        self.table = reflected_table(0x8408)
        self.frames = 0
        self._pos = -1  # -1: hunting for a flag
        self._want = 0
        self._first = 0
        self._crc = 0xFFFF
        self._fcs = 0

    def feed(self, data, start, end):
        found = 0
        table = self.table
        for i in range(start, end):
            b = data[i]
            pos = self._pos
            if pos < 0:
                if b == 0x7E:
                    self._pos = 0
                continue
            if pos == 0:
                if b == 0x7E:
                    continue  # a shared or fill flag
                if b >> 4 != 0xA:
                    self._pos = -1
                    continue
                self._first = b
                self._crc = 0xFFFF
            elif pos == 1:
                self._want = ((self._first & 0x07) << 8) | b
                if self._want < 7:
                    self._pos = -1
                    continue
            if pos < self._want - 2 or pos < 2:
                self._crc = (self._crc >> 8) ^ table[(self._crc ^ b) & 0xFF]
            elif pos == self._want - 2:
                self._fcs = b
            else:  # the FCS' second byte: the frame is complete
                if (self._crc ^ 0xFFFF) == self._fcs | (b << 8):
                    found += 1
                self._pos = -1
                continue
            self._pos = pos + 1
        self.frames += found
        return found
