# Streaming telegram framer: feed it chunks of any size, it cuts out '/'...'!' telegrams
# into one preallocated buffer, checks the CRC-16/ARC after '!' and counts what it drops.
# Pure core: must not import machine, network, socket, time or asyncio; never allocates
# per byte or per telegram after construction.
from hanport.core.const import const
from hanport.core.native import copy_into, crc16_arc

# Wire format (DSMR P1 5.0.2 §6.2, Swedish branschrekommendation 2.0 §4):
#   "/" ident CRLF CRLF { OBIS "(" value ["*" unit] ")" CRLF } "!" CRC CRLF
# CRC = 4 hex digits over every byte from "/" up to and including "!".
# Quirks handled here:
#  - DSMR 2.2/3.0 meters end with a bare "!" CR LF (no CRC)     -> crc_state NO_CRC; whether
#    that is believable is core/p1/decoder.py's decision (crc policy)
#  - Warmtelink heat meter sends "!B9F" (CRC not zero-padded)  -> 1..4 hex digits accepted
#  - capture glitches cut a telegram mid-line and start anew   -> "/" inside a body resyncs
#  - gateways append lines after "!" (EasyMeter Q3D COM-1)     -> skipped as garbage
#  - a bit flip can turn ")" (0x29) into "!" (0x21) and end a telegram early, "CRC-less":
#    once a meter has sent one valid CRC, a telegram without a CRC is counted as damaged

_HUNT = const(0)  # looking for "/"
_BODY = const(1)  # copying bytes until "!"
_CRC = const(2)  # reading up to 4 hex digits after "!"
_TRAIL = const(3)  # swallowing the CR/LF after the CRC so they are not counted as garbage
_BANG_CR = const(4)  # a bare "!" then CR: only LF may follow for a telegram without a CRC

CRC_OK = const(1)
CRC_BAD = const(0)
NO_CRC = const(2)

DEFAULT_CAP = const(6144)  # longest corpus telegram (Hungarian Sanxing SX631) is 4,395 bytes

_SLASH = const(0x2F)
_BANG = const(0x21)


def _hex_value(c):
    if 0x30 <= c <= 0x39:
        return c - 0x30
    c |= 0x20  # lower-case letters; some meters might send a-f
    if 0x61 <= c <= 0x66:
        return c - 0x61 + 10
    return -1


class Framer:
    """Cut telegrams out of a byte stream.

    Usage (allocation-free loop)::

        pos = 0
        while pos < len(chunk):
            pos = framer.feed(chunk, pos, len(chunk))
            if framer.ready:
                use(framer.buf, framer.length, framer.crc_state)
                framer.release()
    """

    def __init__(self, cap=DEFAULT_CAP):
        if cap < 16:
            raise ValueError("framer cap must be at least 16 bytes")
        self.cap = cap
        self.buf = bytearray(cap)
        self.length = 0  # bytes of the finished telegram in buf ("/" .. "!")
        self.ready = False
        self.crc_state = NO_CRC
        self.crc_sent = 0  # CRC as sent (valid when crc_state != NO_CRC)
        self.meter_sends_crc = False  # learnt from the first valid CRC; then no-CRC is damage
        self._state = _HUNT
        self._crc_digits = 0
        self._trail = 0
        # counters
        self.ok = 0
        self.crc_error = 0
        self.no_crc = 0
        self.overflow = 0
        self.truncated = 0  # a new "/" arrived before "!": the partial telegram was dropped
        self.garbage = 0  # bytes outside any telegram (CR/LF after the CRC not included)

    def release(self):
        """The consumer is done with buf; the next feed may overwrite it."""
        self.ready = False
        self.length = 0

    def reset(self):
        """Forget any partial telegram (counters are kept)."""
        self.release()
        self._state = _HUNT

    def feed(self, data, start, end):
        """Consume data[start:end] until one telegram is complete; return the next index.

        When it returns with self.ready set, buf[:length] holds the telegram and the caller
        must call release() before feeding again.
        """
        if self.ready:
            return start  # caller forgot release(): never overwrite an unread telegram
        buf = self.buf
        i = start
        while i < end:
            state = self._state
            if state == _HUNT:
                p = data.find(b"/", i, end)
                if p < 0:
                    self.garbage += end - i
                    return end
                self.garbage += p - i
                buf[0] = _SLASH
                self.length = 1
                self._state = _BODY
                i = p + 1
            elif state == _BODY:
                bang = data.find(b"!", i, end)
                stop = end if bang < 0 else bang + 1
                slash = data.find(b"/", i, stop)
                if slash >= 0:
                    # A new telegram starts before this one ended: drop the partial one.
                    self.truncated += 1
                    self._state = _HUNT
                    i = slash
                    continue
                n = stop - i
                if self.length + n > self.cap:
                    self.overflow += 1
                    self._state = _HUNT
                    self.length = 0
                    i = stop
                    continue
                copy_into(buf, self.length, data, i, stop)
                self.length += n
                i = stop
                if bang >= 0:
                    self._state = _CRC
                    self._crc_digits = 0
                    self.crc_sent = 0
            elif state == _CRC:
                c = data[i]
                v = _hex_value(c)
                if v < 0:
                    if self._crc_digits == 0 and c == 0x0D:
                        self._state = _BANG_CR  # DSMR 2.2 ends with a bare "!" + CR LF
                        i += 1
                        continue
                    # "!" LF also ends a telegram without a CRC; "!" then anything else is damage.
                    self._finish(self._crc_digits > 0 or c == 0x0A)
                    if not self.ready:
                        continue
                    return i  # the terminating byte is looked at again (it may be "/")
                self.crc_sent = (self.crc_sent << 4) | v
                self._crc_digits += 1
                i += 1
                if self._crc_digits == 4:
                    self._finish(True)
                    if self.ready:
                        return i
            elif state == _BANG_CR:  # "!" CR: a CRC-less end only if LF follows at once
                self._finish(data[i] == 0x0A)
                self._trail = 1  # the CR is eaten; _TRAIL takes the LF
                if self.ready:
                    return i
            else:  # _TRAIL: CR LF after the CRC line
                c = data[i]
                if (c == 0x0D or c == 0x0A) and self._trail < 2:
                    self._trail += 1
                    i += 1
                else:
                    self._state = _HUNT
        return end

    def flush(self):
        """End of stream: complete a telegram waiting for more CRC digits (e.g. a file that
        ends right after "!A077" or "!B9F"). Returns True if a telegram became ready."""
        if self._state == _CRC and not self.ready:
            self._finish(self._crc_digits > 0)  # a bare "!" at the end: no CR LF, not believable
        return self.ready

    def _finish(self, end_line_ok):
        self._state = _TRAIL
        self._trail = 0
        if self.buf.find(b"\n", 0, self.length) < 0:
            # No identification line before "!": a "/" and a "!" in noise, not a telegram.
            self.truncated += 1
            self.length = 0
            return
        self.ready = True
        if not end_line_ok or (self._crc_digits == 0 and self.meter_sends_crc):
            self.crc_state = CRC_BAD
            self.crc_error += 1
        elif self._crc_digits == 0:
            self.crc_state = NO_CRC
            self.no_crc += 1
        elif crc16_arc(self.buf, 0, self.length) == self.crc_sent:
            self.crc_state = CRC_OK
            self.meter_sends_crc = True
            self.ok += 1
        else:
            self.crc_state = CRC_BAD
            self.crc_error += 1

    def stats(self):
        return {
            "ok": self.ok,
            "crc_error": self.crc_error,
            "no_crc": self.no_crc,
            "overflow": self.overflow,
            "truncated": self.truncated,
            "garbage": self.garbage,
        }
