# Captive-portal DNS answers on both runtimes: A and ANY get the AP address, AAAA an empty
# NOERROR, malformed or oversized packets are dropped.
from hanport.core.lan.dnsanswer import answer

AP = bytes([192, 168, 4, 1])


def query(name, qtype=1, flags=0x01, qdcount=1, extra=b""):
    q = bytearray(b"\x12\x34") + bytes([flags, 0, 0, qdcount, 0, 0, 0, 0, 0, 0])
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + bytes([qtype >> 8, qtype & 255, 0, 1]) + extra
    return q


def test_a_query_gets_the_access_point():
    out = bytearray(512)
    q = query("connectivitycheck.gstatic.com")
    n = answer(q, len(q), AP, out)
    assert n == len(q) + 16
    assert out[:2] == b"\x12\x34" and out[2] & 0x80 and out[3] & 0x0F == 0
    assert out[6:8] == b"\x00\x01" and out[len(q) : len(q) + 2] == b"\xc0\x0c"
    assert out[n - 4 : n] == AP


def test_aaaa_gets_empty_noerror_and_edns_is_tolerated():
    out = bytearray(512)
    q = query("captive.apple.com", qtype=28)
    n = answer(q, len(q), AP, out)
    assert n == len(q) and out[6:8] == b"\x00\x00" and out[3] & 0x0F == 0
    q = query("example.com", extra=b"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00")
    q[11] = 1  # ARCOUNT 1 (EDNS OPT)
    n = answer(q, len(q), AP, out)
    assert out[n - 4 : n] == AP


def test_malformed_packets_are_dropped():
    out = bytearray(512)
    good = query("a.b")
    bad = [
        b"",
        good[:12],
        bytes(good[:-3]),  # cut inside the question
        query("a.b", flags=0x81),  # a response
        query("a.b", flags=0x29),  # opcode 5 (update)
        query("a.b", qdcount=2),
        bytes(good[:12]) + b"\xc0\x0c\x00\x01\x00\x01",  # compression pointer in the question
        bytes(good[:12]) + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01",  # label over 63
        bytes(good[:12]) + (b"\x3f" + b"a" * 63) * 5 + b"\x00\x00\x01\x00\x01",  # name over 255
        bytes(good) + b"\x00" * 600,  # oversized
    ]
    for packet in bad:
        assert answer(packet, len(packet), AP, out) == 0, packet[:20]
