# HDLC framing of binary HAN meters (IEC 62056-46, as used by Swedish v1.2, Norwegian and
# Danish HAN ports): 0x7E-delimited frames, frame format type 3 with an 11-bit length, header
# check (HCS) and frame check (FCS), both CRC-16/X.25. One preallocated buffer, counters like
# the ASCII framer. Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const
from hanport.core.native import copy_into, reflected_table

FLAG = const(0x7E)
DEFAULT_CAP = const(2048)  # the longest corpus frame is ~1 KB; a segment is at most 2 KB
APDU_CAP = const(4096)  # a push split over segments (S bit), reassembled
_HUNT = const(0)
_FRAME = const(1)


_TABLE = reflected_table(0x8408)  # CRC-16/X.25: poly 0x1021 reflected


def crc16_x25(buf, start, end):
    """CRC-16/X.25 (reflected 0x1021, init and xorout 0xFFFF) of buf[start:end]."""
    crc = 0xFFFF
    table = _TABLE
    for i in range(start, end):
        crc = (crc >> 8) ^ table[(crc ^ buf[i]) & 0xFF]
    return crc ^ 0xFFFF


def header_length(buf, length):
    """Bytes of format + addresses + control in a frame starting at buf[0] (format field), or
    -1 when the addresses never end (each address is 1-4 bytes, the last with bit 0 set)."""
    i = 2
    for _ in range(2):  # destination, then source address
        n = 0
        while i < length and not buf[i] & 1:
            i += 1
            n += 1
            if n >= 4:
                return -1
        i += 1
    return i + 1 if i < length else -1  # + control byte


class HdlcFramer:
    """feed(data, start, end) -> index where it stopped; when `ready`, the information field
    (LLC + APDU) of a frame, or of all segments of a segmented push, is
    payload[payload_start:payload_end]; buf[0:length] holds the last frame (flags excluded)."""

    def __init__(self, cap=DEFAULT_CAP, apdu_cap=APDU_CAP):
        self.buf = bytearray(cap)
        self.apdu = None  # segments collected here; made at the first segmented push (rare)
        self.apdu_cap = apdu_cap
        self.apdu_len = 0
        self.payload = self.buf
        self.payload_start = 0
        self.payload_end = 0
        self.cap = cap
        self.length = 0
        self.want = 0  # bytes of the frame per its length field (0: not known yet)
        self.ready = False
        self.segmented = False  # S bit: more segments follow
        self.info_start = 0  # index of the information field (LLC + APDU) in buf
        self._state = _HUNT
        self.ok = 0
        self.fcs_error = 0
        self.hcs_error = 0
        self.overflow = 0
        self.garbage = 0

    def release(self):
        if self.payload is self.apdu:
            self.apdu_len = 0
        self.ready = False
        self.length = 0
        self.want = 0
        self._state = _HUNT

    def feed(self, data, start, end):
        buf = self.buf
        i = start
        while i < end:
            b = data[i]
            i += 1
            if self._state == _HUNT:
                if b == FLAG:
                    self._state = _FRAME
                    self.length = 0
                    self.want = 0
                else:
                    self.garbage += 1
                continue
            if self.length == 0 and b == FLAG:
                continue  # a flag shared by two frames, or fill flags
            if self.length >= self.cap:
                self.overflow += 1
                self._state = _HUNT
                continue
            buf[self.length] = b
            self.length += 1
            if self.length == 2:
                if buf[0] >> 4 != 0xA:  # frame format type 3 only
                    self.garbage += 2
                    self._state = _HUNT if b != FLAG else _FRAME
                    self.length = 0
                    continue
                self.want = ((buf[0] & 0x07) << 8) | buf[1]
                self.segmented = bool(buf[0] & 0x08)
                if self.want < 7 or self.want > self.cap:
                    self.overflow += 1 if self.want > self.cap else 0
                    self.garbage += 0 if self.want > self.cap else 2
                    self._state = _HUNT
                    self.length = 0
            elif self.want and self.length == self.want:
                self._check()
                if self.ready:
                    return i
        return i

    def _check(self):
        buf = self.buf
        n = self.length
        self._state = _HUNT
        if crc16_x25(buf, 0, n - 2) != buf[n - 2] | (buf[n - 1] << 8):
            self.fcs_error += 1
            self.length = 0
            return
        head = header_length(buf, n)
        if head < 0:
            self.fcs_error += 1
            self.length = 0
            return
        if head + 2 < n - 2:  # an information field follows: it has its own header check
            if crc16_x25(buf, 0, head) != buf[head] | (buf[head + 1] << 8):
                self.hcs_error += 1
                self.length = 0
                return
            self.info_start = head + 2
        else:
            self.info_start = n - 2
        self.ok += 1
        start = self.info_start
        end = n - 2
        if self.segmented or self.apdu_len:
            if self.apdu is None:
                self.apdu = bytearray(self.apdu_cap)
            if self.apdu_len + end - start > len(self.apdu):
                self.overflow += 1
                self.apdu_len = 0
                return
            copy_into(self.apdu, self.apdu_len, buf, start, end)
            self.apdu_len += end - start
            if self.segmented:
                self.length = 0
                return  # more segments follow
            self.payload, self.payload_start, self.payload_end = self.apdu, 0, self.apdu_len
        else:
            self.payload, self.payload_start, self.payload_end = buf, start, end
        self.ready = True

    def stats(self):
        return {
            "ok": self.ok,
            "fcs_error": self.fcs_error,
            "hcs_error": self.hcs_error,
            "overflow": self.overflow,
            "garbage": self.garbage,
        }


# DLMS APDU tags after the LLC header E6 E7 00 (IEC 62056-5-3)
DATA_NOTIFICATION = const(0x0F)
_CIPHERED = (0xDB, 0xDF)  # general-glo-ciphering, general-ciphering: a key is needed


def classify_apdu(buf, start, end):
    """ "data-notification", "encrypted", "block-transfer" or "unknown" for an information field
    (with or without the LLC header)."""
    if end - start >= 3 and buf[start] == 0xE6 and buf[start + 1] in (0xE6, 0xE7) and buf[start + 2] == 0:
        start += 3
    if start >= end:
        return "unknown"
    tag = buf[start]
    if tag == DATA_NOTIFICATION:
        return "data-notification"
    if tag in _CIPHERED:
        return "encrypted"
    if tag == 0xE0:
        return "block-transfer"
    return "unknown"
