# MicroPython only: decoding allocates nothing after warm-up. micropython.heap_lock() makes
# any heap allocation raise MemoryError, so a passing run proves the path is allocation-free.
import gc

import micropython

from hanport.core.p1.decoder import Decoder
from support import corpus_files, read_bytes
from telegen import STYLES, SwedishMeter


class Sink:
    """Callback that records without allocating (ints in preallocated attributes)."""

    def __init__(self):
        self.count = 0
        self.bad = 0
        self.energy = 0

    def __call__(self, reading, framer):
        if reading is None:
            self.bad += 1
        else:
            self.count += 1
            self.energy = reading.value[0]


def _locked_feed(decoder, chunks):
    gc.collect()
    micropython.heap_lock()
    try:
        for chunk in chunks:
            decoder.feed(chunk)
    finally:
        micropython.heap_unlock()


def _check(data):
    sink = Sink()
    dec = Decoder(sink)
    dec.feed(data)  # warm-up
    warm = sink.count + sink.bad
    for size in (0, 1, 64):
        chunks = [data] if size == 0 else [data[i : i + size] for i in range(0, len(data), size)]
        _locked_feed(dec, chunks)
    assert dec.parser.errors == 0, "MemoryError inside parse (allocation under heap_lock)"
    assert sink.count + sink.bad == 4 * warm and warm > 0, (sink.count, warm)
    return sink, dec


def test_swedish_corpus_decodes_without_allocating():
    files = corpus_files(".txt", "se_")
    n = 0
    for _name, path in files:
        data = read_bytes(path)
        sink, dec = _check(data)
        if sink.bad == 0:
            n += 1
    assert n >= 12, n  # CRC-valid Swedish captures decoded under the lock


def test_generated_streams_decode_without_allocating():
    for style in STYLES:
        meter = SwedishMeter(seed=11, style=style)
        data = meter.telegram() + meter.telegram()
        sink, dec = _check(data)
        assert sink.energy == meter.energy[0]


def test_damaged_input_paths_do_not_allocate():
    good = SwedishMeter(seed=4).telegram()
    damaged = bytearray(good)
    damaged[100] ^= 0x01  # CRC failure
    noise = bytes(range(256)) * 8  # contains "/" and "!" bytes too
    data = noise + bytes(damaged) + good[:300] + good + b"\r\n\xff\xff"
    sink = Sink()
    dec = Decoder(sink, cap=1024)
    dec.feed(data)
    count = sink.count
    _locked_feed(dec, [data, good * 2])
    assert sink.count == 2 * count + 2 and dec.parser.errors == 0


def test_bytes_allocated_per_telegram_is_zero():
    # The heap is fragmented after generating telegrams: feed a list, not one joined blob.
    meter = SwedishMeter(seed=9)
    telegrams = [meter.telegram() for _ in range(50)]
    sink = Sink()
    dec = Decoder(sink)
    for t in telegrams:
        dec.feed(t)
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()
        for t in telegrams:
            dec.feed(t)
        after = gc.mem_alloc()
    finally:
        gc.enable()
    assert sink.count == 100
    assert after - before == 0, after - before


def test_hour_accounting_allocates_nothing_within_an_hour():
    from hanport.core.tariff.periods import Periods

    periods = Periods(60)
    periods.feed(260114, 170005, 0, 1000000, 0)  # opens the hour (allocation allowed here)
    micropython.heap_lock()
    try:
        for s in range(15, 3590, 10):  # 17:00:15 .. 17:59:45, as a meter sends every 10 s
            if periods.feed(260114, 170000 + s // 60 * 100 + s % 60, 0, 1000000 + s, 0):
                raise AssertionError("closed within the hour")
    finally:
        micropython.heap_unlock()
    assert periods.used_wh(1003585) == 3585


def test_hdlc_framing_allocates_nothing():
    from hanport.core.binary.hdlc import HdlcFramer, classify_apdu, crc16_x25

    info = b"\xe6\xe7\x00\x0f" + bytes(range(200))
    n = 2 + 2 + 1 + 2 + len(info) + 2
    head = bytearray((0xA0 | (n >> 8), n & 0xFF, 0x03, 0x03, 0x13))
    hcs = crc16_x25(head, 0, 5)
    body = bytes(head) + bytes((hcs & 0xFF, hcs >> 8)) + info
    fcs = crc16_x25(body, 0, len(body))
    stream = (b"\x7e" + body + bytes((fcs & 0xFF, fcs >> 8)) + b"\x7e") * 20
    framer = HdlcFramer()
    kinds = 0
    micropython.heap_lock()
    try:
        i = 0
        while i < len(stream):
            i = framer.feed(stream, i, len(stream))
            if framer.ready:
                if classify_apdu(framer.payload, framer.payload_start, framer.payload_end) == "data-notification":
                    kinds += 1
                framer.release()
    finally:
        micropython.heap_unlock()
    assert kinds == 20 and framer.ok == 20


def test_binary_meter_decoding_allocates_nothing():
    # Every valid Swedish/Norwegian push of the corpus plus generated Aidon-style frames, fed
    # through HDLC framing and the DLMS list decoder into the Reading with the heap locked.
    import binascii

    from hanport.core.binary.bindecoder import HdlcDecoder
    from hdlcgen import aidon_frame
    from support import corpus_dir, read_json

    root = corpus_dir()
    stream = bytearray()
    for entry in read_json(root + "/manifest.json"):
        if entry["format"] == "hdlc" and entry["crc_ok"] and entry["country"].startswith(("Sweden", "Norway")):
            stream.extend(binascii.unhexlify(b"".join(read_bytes(root + "/" + entry["file"]).split())))
    meter = SwedishMeter(5, "aidon", 10)
    for _ in range(5):
        stream.extend(aidon_frame(meter))
    sink = Sink()
    dec = HdlcDecoder(sink)
    dec.feed(stream)  # warm-up
    warm = sink.count
    _locked_feed(dec, [stream[i : i + 64] for i in range(0, len(stream), 64)])
    assert warm >= 40 and sink.count == 2 * warm and sink.bad == 0, (warm, sink.count, sink.bad)
    assert dec.verdicts[0] == 2 * warm


def test_decrypting_allocates_nothing():
    # Encrypted frames made here by running the counter mode over the plaintext (it is its own
    # inverse; tests/test_dlms_crosscheck.py checks it against a real AES-GCM), then decrypted
    # with cryptolib and decoded with the heap locked.
    from hanport.aes import block_cipher
    from hanport.core.binary.bindecoder import HdlcDecoder
    from hanport.core.binary.gcm import GlobalCipher
    from hdlcgen import TITLE, aidon_frame, hdlc_frame

    cipher = GlobalCipher(block_cipher(b"0123456789abcdef"))
    meter = SwedishMeter(6, "aidon", 10)
    stream = bytearray()
    for counter in range(1, 6):
        plain = aidon_frame(meter)[12:-3]  # flag, HDLC header (8), LLC (3) | APDU | FCS, flag
        size = 5 + len(plain)
        head = bytes((0xDB, 8)) + TITLE + bytes((0x82, size >> 8, size & 0xFF, 0x20)) + counter.to_bytes(4, "big")
        n = cipher.decrypt(head + plain, 0, len(head) + len(plain))
        stream.extend(hdlc_frame(b"\xe6\xe7\x00" + head + bytes(cipher.plain[:n])))
    sink = Sink()
    dec = HdlcDecoder(sink, None, 1, cipher)
    dec.feed(stream)  # warm-up
    _locked_feed(dec, [stream[i : i + 64] for i in range(0, len(stream), 64)])
    assert sink.count == 10 and sink.bad == 0 and dec.verdicts[0] == 10, (sink.count, dec.verdicts)
