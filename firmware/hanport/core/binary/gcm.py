# Decryption of DLMS general-glo-ciphering APDUs (tag 0xDB; IEC 62056-5-3, DLMS Green Book
# 9.2.7.2.4) with AES-128-GCM, the way Austrian, Danish, Norwegian and Swiss meters encrypt
# their HAN push. The AES block cipher is injected (hanport/aes.py). Pure core: must not import
# machine, network, socket, time or asyncio.
from hanport.core.native import copy_into

# DB | 08 | system title (8) | length (A-XDR) | security control | frame counter (4) |
# ciphertext | authentication tag (12 bytes, when security control bit 0x10 is set)
# GCM: IV = system title || frame counter; the keystream blocks are AES(IV || counter) with the
# counter starting at 2 (1 is kept for the tag). The tag is not checked: a wrong key shows as a
# plaintext that is no data-notification, and a damaged frame was refused by the HDLC FCS.
_AUTHENTICATED = 0x10
_ENCRYPTED = 0x20


class GlobalCipher:
    """decrypt(buf, start, end) -> plaintext length, or -1; the plaintext is
    plain_buf[plain_start:plain_start + n]. cap=0: decrypted in place, in buf (boards without
    PSRAM: 2 KB less heap, but buf no longer holds the frame as received)."""

    def __init__(self, aes, cap=2048):
        self.aes = aes  # encrypt(in16, out16)
        self.plain = bytearray(cap) if cap else None
        self.plain_buf = self.plain
        self.plain_start = 0
        self._counter = bytearray(16)
        self._stream = bytearray(16)

    def decrypt(self, buf, start, end):
        i = start
        if end - i < 11 or buf[i] != 0xDB or buf[i + 1] != 8:
            return -1
        title = i + 2
        i += 10
        size = buf[i]
        i += 1
        if size & 0x80:  # long form: 0x81 n or 0x82 n n
            k = size & 0x7F
            if k > 2 or i + k > end:
                return -1
            size = 0
            for _ in range(k):
                size = size << 8 | buf[i]
                i += 1
        if size < 5 or i + size > end:
            return -1
        control = buf[i]
        counter = i + 1
        i += 5
        n = size - 5 - (12 if control & _AUTHENTICATED else 0)
        plain = self.plain
        if n <= 0 or (plain is not None and n > len(plain)):
            return -1
        at = 0
        if plain is None:  # in place: each byte is read before it is written
            plain, at = buf, i
        self.plain_buf, self.plain_start = plain, at
        if not control & _ENCRYPTED:  # authenticated only: the APDU travels in clear
            if plain is not buf:
                copy_into(plain, 0, buf, i, i + n)
            return n
        block = self._counter
        copy_into(block, 0, buf, title, title + 8)
        copy_into(block, 8, buf, counter, counter + 4)
        stream = self._stream
        number = 2
        for off in range(0, n, 16):
            block[12] = (number >> 24) & 0xFF
            block[13] = (number >> 16) & 0xFF
            block[14] = (number >> 8) & 0xFF
            block[15] = number & 0xFF
            self.aes.encrypt(block, stream)
            last = n - off if n - off < 16 else 16
            for k in range(last):
                plain[at + off + k] = buf[i + off + k] ^ stream[k]
            number += 1
        return n
