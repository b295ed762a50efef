# Property tests (CPython, hypothesis): random chunking, garbage, bit flips, truncation and
# megabytes of noise never raise, never accept a CRC-bad telegram, never exceed the buffer
# cap, and the next intact telegram after any damage is decoded. The CPython fast paths
# decode exactly like the allocation-free portable paths.
import os
import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hanport.core.p1.decoder import Decoder
from hanport.core.p1.framer import CRC_OK
from hanport.core.p1.lexer import Scanner
from hanport.core.p1.parser import Parser
from hanport.core.reading import Reading
from support import corpus_files, read_bytes
from telegen import STYLES, SwedishMeter, crc16_arc

# derandomize: the same examples every run, so CI cannot flake on a 1-in-65,536 CRC collision
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


class Recorder:
    def __init__(self, decoder_ref):
        self.decoder = decoder_ref
        self.readings = []
        self.bodies = []

    def __call__(self, reading, framer):
        # Invariants checked on every delivery.
        assert framer.length <= framer.cap and len(framer.buf) == framer.cap
        body = bytes(framer.buf[: framer.length])
        if reading is not None:
            if framer.crc_state == CRC_OK:  # never a CRC-bad telegram accepted
                assert crc16_arc(body) == framer.crc_sent
            self.readings.append(reading.to_dict())
            self.bodies.append(body)


def make_decoder(cap=6144):
    holder = []
    rec = Recorder(holder)
    dec = Decoder(rec, cap=cap)
    holder.append(dec)
    return dec, rec


def feed_chunks(dec, data, cuts):
    points = sorted(set(c % (len(data) + 1) for c in cuts))
    start = 0
    for p in points + [len(data)]:
        dec.feed(data[start:p])
        start = p
    dec.flush()


@pytest.fixture(scope="module")
def corpus_stream():
    return b"".join(read_bytes(path) for _, path in corpus_files(".txt"))


def _reference(data):
    dec, rec = make_decoder()
    dec.feed(data)
    dec.flush()
    return rec.readings, dec.stats()


@pytest.fixture(scope="module")
def corpus_reference(corpus_stream):
    return _reference(corpus_stream)  # decoded in one piece, once for every chunking below


@SETTINGS
@given(cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=60))
def test_corpus_stream_any_chunking(corpus_stream, corpus_reference, cuts):
    want, want_stats = corpus_reference
    dec, rec = make_decoder()
    feed_chunks(dec, corpus_stream, cuts)
    assert rec.readings == want
    assert dec.stats() == want_stats


def _intact():
    return SwedishMeter(seed=99, style="sagemcom").telegram()


@SETTINGS
@given(
    seed=st.integers(0, 2**16),
    garbage=st.lists(st.tuples(st.integers(0, 10**5), st.binary(min_size=1, max_size=40)), max_size=8),
    flips=st.lists(st.tuples(st.integers(0, 10**5), st.integers(0, 7)), max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 10**5)),
    cuts=st.lists(st.integers(0, 10**6), max_size=20),
)
@example(seed=0, garbage=[], flips=[(3651, 3)], cut=None, cuts=[])  # ")" -> "!": early end without CRC
def test_damage_never_crashes_or_corrupts(seed, garbage, flips, cut, cuts):
    meter = SwedishMeter(seed=seed % 97 + 1, style=sorted(STYLES)[seed % len(STYLES)])
    clean = [meter.telegram() for _ in range(3)]
    data = bytearray(b"".join(clean))
    for pos, byte in garbage:
        p = pos % (len(data) + 1)
        data[p:p] = byte
    for pos, bit in flips:
        data[pos % len(data)] ^= 1 << bit
    if cut is not None:
        del data[cut % len(data) :]
    intact = _intact()
    dec, rec = make_decoder(cap=2048)
    dec.feed(intact)  # the dongle has been running: it knows this meter sends CRCs
    feed_chunks(dec, bytes(data) + intact, cuts)
    # Every accepted telegram is byte-identical to one that was sent intact.
    for body in rec.bodies:
        assert any(t.startswith(body) for t in clean + [intact]), body[:60]
    assert rec.bodies and intact.startswith(rec.bodies[-1])  # the next intact one decodes
    assert dec.parser.errors == 0


def test_megabyte_of_noise_without_bang():
    rnd = random.Random(5)
    noise = bytes(rnd.choice(b"/0123456789:.()*kWh\r\n-") for _ in range(1 << 20))
    assert b"!" not in noise
    dec, rec = make_decoder(cap=6144)
    for i in range(0, len(noise), 4096):
        dec.feed(noise[i : i + 4096])
    assert rec.readings == [] and len(dec.framer.buf) == 6144
    assert dec.framer.overflow + dec.framer.truncated > 0
    dec.feed(_intact())
    assert len(rec.readings) == 1 and rec.readings[0]["meter_id"] == "ELL5\\253833635_A"


def test_random_bytes_megabyte():
    dec, rec = make_decoder(cap=1024)
    dec.feed(os.urandom(1 << 20))
    dec.flush()
    dec.feed(_intact())
    assert rec.readings[-1]["meter_id"] == "ELL5\\253833635_A"
    assert dec.parser.errors == 0


def _line_strategy():
    code = st.sampled_from(
        [
            "1-0:1.8.0",
            "1-0:2.7.0",
            "1-0:21.7.0",
            "1-0:32.7.0",
            "1-0:31.7.0",
            "0-0:1.0.0",
            "0-0:96.14.0",
            "0-1:24.2.1",
            "0-1:24.1.0",
            "1-0:1.6.0",
            "0-1:24.3.0",
            "1-0:1.8.0*255",
            "9-9:9.9.9",
        ]
    )
    value = st.text(alphabet="0123456789.-", min_size=0, max_size=14)
    unit = st.sampled_from(["", "*kWh", "*kW", "*W", "*kvarh", "*V", "*A", "*m3", "*GJ", "kW", "*"])
    group = st.builds(lambda v, u: "(" + v + u + ")", value, unit)
    line = st.builds(lambda c, gs: c + "".join(gs), code, st.lists(group, min_size=1, max_size=3))
    cont = st.builds(lambda v: "(" + v + ")", value)
    return st.lists(st.one_of(line, line, line, cont), min_size=1, max_size=20)


@SETTINGS
@given(lines=_line_strategy())
def test_fast_paths_equal_portable_paths(lines):
    body = ("/XXX5x\r\n\r\n" + "\r\n".join(lines) + "\r\n!").encode()
    fast, slow = Parser(), Parser(portable=True)
    r1, r2 = Reading(), Reading()
    assert fast.parse(bytearray(body), len(body), r1) and slow.parse(bytearray(body), len(body), r2)
    assert r1.to_dict() == r2.to_dict()
    assert fast.stats() == slow.stats()


@SETTINGS
@given(value=st.text(alphabet="0123456789.", min_size=1, max_size=16), want=st.integers(-1, 3))
def test_number_fast_equals_loop(value, want):
    fast, slow = Scanner(), Scanner(portable=True)
    raw = value.encode()
    v1 = fast.number(raw, 0, len(raw), want)
    v2 = slow.number(raw, 0, len(raw), want)
    assert (fast.err, fast.stop) == (slow.err, slow.stop)
    if not fast.err:
        assert v1 == v2 and (want >= 0 or fast.dec == slow.dec)
