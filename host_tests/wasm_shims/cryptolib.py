# Test-only stand-in for MicroPython's built-in cryptolib (ECB AES-128 encryption of one block),
# which the WebAssembly build lacks; the ESP32 and the unix port have the C module. Written from
# FIPS-197: S-box from the GF(2^8) inverse plus the affine map, then the round steps in turn.


def _xtime(a):
    a <<= 1
    return (a ^ 0x11B) if a & 0x100 else a  # small ints: no allocation


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
        self._s = bytearray(16)
        self._t = bytearray(16)

    def encrypt(self, data, out=None):
        """One 16-byte block. Works in two preallocated buffers, so that make mem's figures for
        an encrypted meter are not swollen by this stand-in's garbage (the C module makes none)."""
        sbox = _SBOX
        w = self._w
        s = self._s
        t = self._t
        for i in range(16):
            s[i] = data[i] ^ w[i]
        for rnd in range(1, 11):
            for i in range(16):  # SubBytes + ShiftRows (state column-major: s[row + 4 * column])
                t[i] = sbox[s[(i + 4 * (i % 4)) % 16]]
            k = 16 * rnd
            if rnd < 10:
                for c in range(0, 16, 4):  # MixColumns, then AddRoundKey
                    a0 = t[c]
                    a1 = t[c + 1]
                    a2 = t[c + 2]
                    a3 = t[c + 3]
                    x = a0 ^ a1 ^ a2 ^ a3
                    s[c] = a0 ^ x ^ _xtime(a0 ^ a1) ^ w[k + c]
                    s[c + 1] = a1 ^ x ^ _xtime(a1 ^ a2) ^ w[k + c + 1]
                    s[c + 2] = a2 ^ x ^ _xtime(a2 ^ a3) ^ w[k + c + 2]
                    s[c + 3] = a3 ^ x ^ _xtime(a3 ^ a0) ^ w[k + c + 3]
            else:
                for i in range(16):
                    s[i] = t[i] ^ w[k + i]
        if out is None:
            return bytes(s)
        for i in range(16):
            out[i] = s[i]
        return out
