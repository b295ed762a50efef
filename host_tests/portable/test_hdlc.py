# Binary HAN meters, framing (issue #7, first part) on both runtimes: every HDLC capture in the
# corpus gets the frame-check verdict its manifest records, raw APDUs without a link layer are
# recognised, encrypted pushes are told apart, and chunking or junk does not change a verdict.
import binascii

from hanport.core.binary.hdlc import HdlcFramer, classify_apdu, crc16_x25
from support import corpus_dir, corpus_files, read_bytes, read_json


def _hex(path):
    return binascii.unhexlify(b"".join(read_bytes(path).split()))


def _frames(data, chunk=0):
    framer = HdlcFramer()
    kinds = []
    pos = 0
    step = chunk or len(data)
    while pos < len(data):
        end = min(pos + step, len(data))
        i = pos
        while i < end:
            i = framer.feed(data, i, end)
            if framer.ready:
                kinds.append(classify_apdu(framer.payload, framer.payload_start, framer.payload_end))
                framer.release()
        pos = end
    return kinds, framer


def test_crc16_x25_check_value():
    assert crc16_x25(b"123456789", 0, 9) == 0x906E  # the catalogue's check value


def test_corpus_frames_get_their_manifest_verdicts():
    root = corpus_dir()
    manifest = read_json(root + "/manifest.json")
    hdlc = [e for e in manifest if e["format"] == "hdlc"]
    assert len(hdlc) >= 100 and len(corpus_files(".hex")) >= len(hdlc)
    seen = {"data-notification": 0, "encrypted": 0}
    for entry in hdlc:
        data = _hex(root + "/" + entry["file"])
        kinds, framer = _frames(data)
        # (hr_iskra_1 is the first segment of a push: checked, waiting for the rest, not delivered)
        clean = framer.ok > 0 and framer.fcs_error == 0 and framer.hcs_error == 0 and framer.garbage == 0
        assert clean == bool(entry["crc_ok"]), (entry["file"], framer.stats())
        assert _frames(data, 7)[0] == kinds, entry["file"]  # any chunking, same frames
        for kind in kinds:
            if kind in seen:
                seen[kind] += 1
    assert seen["data-notification"] >= 40 and seen["encrypted"] >= 20
    for entry in manifest:
        if entry["format"] in ("dlms-apdu", "llc+dlms-apdu"):  # captured without the HDLC layer
            data = _hex(root + "/" + entry["file"])
            assert _frames(data)[0] == [], entry["file"]
            assert classify_apdu(data, 0, len(data)) != "unknown", entry["file"]


def test_bad_frames_are_counted_not_delivered():
    frame = bytearray(b"\x7e\xa0\x0b\x03\x03\x13")  # format + length 11, addresses, control (UI)
    head = crc16_x25(frame, 1, 6)
    frame += bytes((head & 0xFF, head >> 8)) + b"\x0f\x01"
    fcs = crc16_x25(frame, 1, len(frame))
    good = bytes(frame) + bytes((fcs & 0xFF, fcs >> 8)) + b"\x7e"
    assert good[2] == len(good) - 2
    kinds, framer = _frames(b"junk" + good + good)
    assert kinds == ["data-notification"] * 2 and framer.garbage == 4
    flipped = bytearray(good)
    flipped[9] ^= 0x40  # one bit of the information field
    kinds, framer = _frames(bytes(flipped) + good)
    assert kinds == ["data-notification"] and framer.fcs_error == 1
    # A damaged length field (2047) swallows what follows until its end fails the check; the
    # framer then finds the next frame. Bounded: never more than the buffer.
    bogus = b"\x7e\xa7\xff" + bytes(2100)
    kinds, framer = _frames(bogus + good + good, 5)
    assert kinds == ["data-notification"] * 2 and framer.fcs_error == 1
    kinds, framer = _frames(b"\x7e\xa7\xff" + bytes(100) + good, 5)
    assert kinds == [] and framer.length <= framer.cap  # still inside the bogus frame, bounded


def _frame(info, segmented=False):
    """A type-3 UI frame around an information field, with correct HCS and FCS."""
    n = 2 + 2 + 1 + 2 + len(info) + 2
    head = bytearray(((0xA8 if segmented else 0xA0) | (n >> 8), n & 0xFF, 0x03, 0x03, 0x13))
    hcs = crc16_x25(head, 0, 5)
    body = bytes(head) + bytes((hcs & 0xFF, hcs >> 8)) + info
    fcs = crc16_x25(body, 0, len(body))
    return b"\x7e" + body + bytes((fcs & 0xFF, fcs >> 8)) + b"\x7e"


def test_segmented_push_is_reassembled():
    apdu = b"\xe6\xe7\x00\x0f" + bytes(range(256)) * 3  # one push, 772 bytes
    parts = [apdu[:300], apdu[300:600], apdu[600:]]
    stream = _frame(parts[0], True) + _frame(parts[1], True) + _frame(parts[2])
    framer = HdlcFramer()
    got = []
    i = 0
    while i < len(stream):
        i = framer.feed(stream, i, len(stream))
        if framer.ready:
            got.append(bytes(framer.payload[framer.payload_start : framer.payload_end]))
            framer.release()
    assert got == [apdu] and framer.ok == 3
    # Then an ordinary frame again: delivered alone.
    kinds, _ = _frames(stream + _frame(b"\xe6\xe7\x00\xdb\x08"))
    assert kinds == ["data-notification", "encrypted"]
    # Segments that never end are capped, not collected forever.
    endless = _frame(bytes(1000), True) * 6
    kinds, framer = _frames(endless)
    assert kinds == [] and framer.apdu_len <= len(framer.apdu) and framer.overflow >= 1
