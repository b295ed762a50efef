# Test-only stand-in for MicroPython's built-in cryptolib (ECB AES-128 encryption of one block),
# which the WebAssembly build lacks; the ESP32 and the unix port have the C module. Written from
# FIPS-197: S-box from the GF(2^8) inverse plus the affine map, then the round steps in turn.

STAND_IN = True  # tests that prove the C module allocates nothing skip on this one


def _xtime(a):
    a <<= 1
    return (a ^ 0x11B) if a & 0x100 else a


def _sbox():
    box = bytearray(256)
    for x in range(256):
        inv = 0
        if x:  # brute-force inverse: fine for a one-off 256-entry table
            for y in range(1, 256):
                p, a, b = 0, x, y
                while b:
                    if b & 1:
                        p ^= a
                    a = _xtime(a)
                    b >>= 1
                if p == 1:
                    inv = y
                    break
        s = inv
        for shift in (1, 2, 3, 4):
            s ^= ((inv << shift) | (inv >> (8 - shift))) & 0xFF
        box[x] = s ^ 0x63
    return box


_SBOX = None


class aes:
    def __init__(self, key, mode):
        global _SBOX
        if mode != 1 or len(key) != 16:
            raise ValueError("only ECB AES-128 in this stand-in")
        if _SBOX is None:
            _SBOX = _sbox()
        w = bytearray(key)
        rcon = 1
        while len(w) < 176:
            t = bytearray(w[-4:])
            if len(w) % 16 == 0:
                t = bytearray((_SBOX[t[1]] ^ rcon, _SBOX[t[2]], _SBOX[t[3]], _SBOX[t[0]]))
                rcon = _xtime(rcon)
            w += bytes(w[len(w) - 16 + i] ^ t[i] for i in range(4))
        self._w = w

    def encrypt(self, data, out=None):
        s = bytearray(b ^ k for b, k in zip(data, self._w[0:16]))
        for rnd in range(1, 11):
            s = bytearray(_SBOX[b] for b in s)
            s = bytearray(s[(i + 4 * (i % 4)) % 16] for i in range(16))  # ShiftRows (column-major)
            if rnd < 10:
                m = bytearray(16)
                for c in range(0, 16, 4):
                    a0, a1, a2, a3 = s[c], s[c + 1], s[c + 2], s[c + 3]
                    t = a0 ^ a1 ^ a2 ^ a3
                    m[c] = a0 ^ t ^ _xtime(a0 ^ a1)
                    m[c + 1] = a1 ^ t ^ _xtime(a1 ^ a2)
                    m[c + 2] = a2 ^ t ^ _xtime(a2 ^ a3)
                    m[c + 3] = a3 ^ t ^ _xtime(a3 ^ a0)
                s = m
            k = self._w[16 * rnd : 16 * rnd + 16]
            s = bytearray(b ^ kk for b, kk in zip(s, k))
        if out is None:
            return bytes(s)
        out[:] = s
        return out
