# Framer: chunking, resync, CRC verdicts, caps and counters.
from hanport.core.p1.framer import CRC_BAD, CRC_OK, NO_CRC, Framer
from support import feed_framer, telegram
from telegen import SwedishMeter, crc16_arc


def frames(framer, data, chunk=None):
    """Feed data in chunks; return [(bytes, crc_state)] of complete telegrams."""
    out = []

    def take():
        out.append((bytes(framer.buf[: framer.length]), framer.crc_state))
        framer.release()

    feed_framer(framer, data, chunk or len(data) or 1, take)
    return out


def test_whole_and_bytewise_feeding_agree():
    meter = SwedishMeter(seed=3)
    data = meter.telegram() + meter.telegram()
    whole = frames(Framer(), data)
    assert len(whole) == 2 and whole[0][1] == CRC_OK and whole[1][1] == CRC_OK
    for chunk in (1, 2, 7, 64, 700):
        assert frames(Framer(), data, chunk) == whole


def test_telegram_bytes_are_slash_to_bang():
    data = SwedishMeter().telegram()
    ((body, state),) = frames(Framer(), data)
    assert body[:1] == b"/" and body[-1:] == b"!"
    assert data.startswith(body) and state == CRC_OK


def test_bad_crc_is_counted_not_accepted():
    good = telegram(["1-0:1.8.0(00000001.000*kWh)"])
    bad = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"0001") + b"\r\n"
    f = Framer()
    out = frames(f, bad + good)
    assert [s for _, s in out] == [CRC_BAD, CRC_OK]
    assert f.crc_error == 1 and f.ok == 1


def test_no_crc_dsmr22():
    f = Framer()
    out = frames(f, telegram(["1-0:1.8.1(00001.001*kWh)"], crc=False))
    assert [s for _, s in out] == [NO_CRC] and f.no_crc == 1


def test_unpadded_and_lowercase_crc():
    # Warmtelink sends "!B9F": find a body whose CRC is below 0x1000 and send it unpadded.
    for n in range(2000):
        body = ("/XXX5x\r\n\r\n0-0:96.1.1(%d)\r\n!" % n).encode()
        crc = crc16_arc(body)
        if crc < 0x1000:
            break
    f = Framer()
    out = frames(f, body + ("%X\r\n" % crc).encode())
    assert out == [(body, CRC_OK)]
    body2 = telegram(["0-0:96.1.1(lower)"])
    lower = body2[:-6] + body2[-6:-2].lower() + b"\r\n"
    assert frames(Framer(), lower)[0][1] == CRC_OK


def test_crc_at_end_of_stream_without_newline():
    data = telegram(["1-0:1.8.0(00000001.000*kWh)"]).rstrip()
    f = Framer()
    assert frames(f, data)[0][1] == CRC_OK


def test_lf_only_line_ends():
    data = telegram(["1-0:1.8.0(00000001.000*kWh)"], eol="\n")
    assert frames(Framer(), data)[0][1] == CRC_OK


def test_garbage_and_truncation_resync():
    good = SwedishMeter(seed=5).telegram()
    cut = good[:200]  # cut mid-line, like nl_bad-interrupted_1
    f = Framer()
    out = frames(f, b"\x00\xffnoise" + cut + good + b"tail\r\n")
    assert [s for _, s in out] == [CRC_OK]
    assert f.truncated == 1 and f.garbage == len(b"\x00\xffnoise") + len(b"tail\r\n")


def test_crlf_after_crc_is_not_garbage():
    data = SwedishMeter().telegram() * 3
    f = Framer()
    frames(f, data)
    assert f.ok == 3 and f.garbage == 0


def test_overflow_drops_and_resyncs_within_cap():
    small = telegram(["0-0:96.1.1(1)"])
    big = SwedishMeter().telegram()
    f = Framer(cap=len(small) + 10)
    out = frames(f, big + small + big + small, chunk=13)
    assert [s for _, s in out] == [CRC_OK, CRC_OK]
    assert f.overflow == 2 and len(f.buf) == len(small) + 10


def test_unreleased_telegram_is_never_overwritten():
    data = telegram(["0-0:96.1.1(1)"]) * 2
    f = Framer()
    i = f.feed(data, 0, len(data))
    assert f.ready
    first = bytes(f.buf[: f.length])
    assert f.feed(data, i, len(data)) == i  # refused until release()
    assert bytes(f.buf[: f.length]) == first


def test_small_cap_is_refused():
    try:
        Framer(cap=4)
    except ValueError:
        return
    raise AssertionError("cap 4 accepted")


def test_slash_bang_in_noise_is_not_a_telegram():
    f = Framer()
    out = frames(f, b"/!\x00/ab!12\r\n" + telegram(["0-0:96.1.1(1)"]))
    assert [s for _, s in out] == [CRC_OK] and f.truncated == 2


def test_bare_bang_needs_a_line_end():
    body = b"/XXX5x\r\n\r\n0-0:96.1.1(1)\r\n!"
    f = Framer()
    out = frames(f, body + b"\x00" + body + b"\r\n")
    assert [s for _, s in out] == [CRC_BAD, NO_CRC] and f.crc_error == 1 and f.no_crc == 1


def test_no_crc_after_crc_is_damage():
    """A bit flip turning ")" into "!" ends a telegram early without a CRC. Accepted from a
    DSMR 2.2 meter (which never sends CRCs), refused once the meter has sent a valid CRC."""
    good = telegram(["1-0:1.8.0(00000001.000*kWh)", "1-0:2.8.0(00000002.000*kWh)"])
    cut = good.replace(b"kWh)\r\n1-0:2", b"kWh!\r\n1-0:2")
    f = Framer()
    assert [s for _, s in frames(f, cut)] == [NO_CRC]  # nothing learnt yet: DSMR 2.2 rules
    f = Framer()
    out = frames(f, good + cut + good)
    assert [s for _, s in out][:2] == [CRC_OK, CRC_BAD] and out[-1][1] == CRC_OK
    assert f.no_crc == 0 and f.crc_error >= 1
    dsmr22 = telegram(["1-0:1.8.1(00001.001*kWh)"], crc=False)
    f = Framer()
    assert [s for _, s in frames(f, dsmr22 * 3)] == [NO_CRC] * 3
