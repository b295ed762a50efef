# AES-128 block encryption for decrypting the meter's DLMS frames: cryptolib on MicroPython
# (ESP32 and the unix port), the `cryptography` package on CPython host runs. Used by the shells
# and tools only; the core gets the cipher object injected.
def block_cipher(key):
    """An object with encrypt(in16, out16) for a 16-byte key (ECB, one block at a time)."""
    try:
        import cryptolib
    except ImportError:
        cryptolib = None
    if cryptolib is not None:
        return cryptolib.aes(bytes(key), 1)  # 1: ECB
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(bytes(key)), modes.ECB()).encryptor()

    class _Block:
        def encrypt(self, data, out):
            out[:] = encryptor.update(bytes(data))

    return _Block()


def glo_cipher(key, in_place=False):
    """core/binary/gcm.py's GlobalCipher for a 16-byte key, over this runtime's AES; in_place: no
    2 KB plaintext buffer, the frame's buffer is decrypted."""
    from hanport.core.binary.gcm import GlobalCipher

    return GlobalCipher(block_cipher(key), 0 if in_place else 2048)


def parse_key(text):
    """32 hex digits (spaces allowed) -> 16 bytes, or None."""
    digits = "".join(text.split())
    if len(digits) != 32:
        return None
    try:
        from binascii import unhexlify

        return unhexlify(digits)
    except ValueError:
        return None
