# When a telegram without a CRC is believed (issue 13), on every runtime: only a bare "!" CR LF
# (or LF), only from a telegram that identifies as DSMR 2.2/3 or IEC 62056-21 and follows one with
# the same identification line, only from a meter that has not sent a CRC (kept with the line).
from hanport.core.p1.crcless import sent_by_crc_less_meter
from hanport.core.p1.decoder import CRC_AUTO, CRC_OPTIONAL, CRC_REQUIRED, Decoder
from hanport.core.p1.framer import CRC_BAD, NO_CRC, Framer
from support import BytesSource, Collector, corpus_files, feed_framer, read_bytes, telegram
from telegen import SwedishMeter

DSMR22 = ["0-0:96.1.1(4B384547303034303436333935353037)", "1-0:1.8.1(12345.678*kWh)", "1-0:1.7.0(0001.23*kW)"]


def _decode(data, crc=CRC_AUTO, chunk=None):
    got = Collector()
    decoder = Decoder(got, crc=crc)
    step = chunk or len(data)
    for i in range(0, len(data), step):
        decoder.feed(data[i : i + step])
    return got, decoder


def _states(data):
    out = []

    def take():
        out.append(framer.crc_state)
        framer.release()

    framer = Framer()
    feed_framer(framer, data, len(data), take)
    return out


def test_dsmr22_without_crc_is_believed_from_its_second_telegram():
    data = telegram(DSMR22, header="ISk5\\2MT382-1004", crc=False)
    for chunk in (1, 5, None):
        got, decoder = _decode(data * 3, chunk=chunk)
        assert got.count == 2 and decoder.unverified == 1  # the boot's first one confirms the meter
    assert _decode(telegram(DSMR22, crc=False, eol="\n") * 2)[0].count == 1  # "!" LF
    other = telegram(DSMR22, header="ISk5\\2MT382-1000", crc=False)
    assert _decode(data + other + data)[0].count == 0  # each follows another identification line


def test_a_bare_bang_needs_cr_lf_right_after_it():
    body = telegram(DSMR22, crc=False)[:-2]  # ends with "!"
    assert _states(body + b"\r\n") == [NO_CRC]
    assert _states(body + b"\rX") == [CRC_BAD]  # CR then anything but LF: damage
    assert _states(body + b"/XXX5next") == [CRC_BAD]  # a "!" that is not an end line
    assert _states(body + b" \r\n") == [CRC_BAD]


def test_telegrams_that_always_carry_a_crc_are_never_believed_without_one():
    # Swedish (0-0:1.0.0), DSMR >= 4 (1-3:0.2.8 >= 40), e-MUCS (0-0:96.1.4): a CRC-less end is damage.
    swedish = SwedishMeter(3).telegram()
    cut = swedish[: swedish.index(b"!") + 1] + b"\r\n"
    dsmr42 = telegram(["1-3:0.2.8(42)"] + DSMR22, crc=False)
    emucs = telegram(["0-0:96.1.4(50217)"] + DSMR22, crc=False)
    for data in (cut, dsmr42, emucs):
        got, decoder = _decode(data)
        assert got.count == 0 and got.bad == 1 and decoder.unverified == 1
        assert decoder.stats()["unverified"] == 1
        assert _decode(data, CRC_OPTIONAL)[0].count == 1  # unsafe override: taken
    assert _decode(telegram(["1-3:0.2.8(30)"] + DSMR22, crc=False) * 2)[0].count == 1  # DSMR 3.0


def test_a_flipped_close_paren_never_publishes_a_cut_telegram():
    # The measured case: ")" (0x29) flipped to "!" (0x21) after a damaged value, cold decoder.
    good = SwedishMeter(5).telegram()
    at = good.index(b"1-0:1.8.0(") + 10
    damaged = bytearray(good)
    damaged[at + 5] ^= 0x01  # a digit of the energy register
    close = good.index(b")", at)
    damaged[close] = 0x21
    got, decoder = _decode(bytes(damaged))
    assert got.count == 0 and decoder.unverified + decoder.framer.crc_error >= 1


def test_required_and_learned_crc():
    data = telegram(DSMR22, crc=False)
    assert _decode(data * 3, CRC_REQUIRED)[0].count == 0
    got, decoder = _decode(telegram(DSMR22) + data * 3)  # a CRC first: this meter sends CRCs
    assert got.count == 1 and got.bad == 3


def test_the_rule_reads_the_version_object():
    for lines, believed in (
        (DSMR22, True),
        (["1-3:0.2.8(50)"], False),
        (["1-3:0.2.8(22)"], True),
        (["0-0:1.0.0(260115075500W)"], False),
    ):
        buf = bytearray(telegram(lines, crc=False))
        assert sent_by_crc_less_meter(buf, len(buf)) is believed, lines


def test_corpus_crc_less_meters_pass_and_the_dsmr42_one_without_crc_does_not():
    files = [(n, p) for n, p in corpus_files(".txt") if read_bytes(p).rstrip().endswith(b"!")]
    assert len(files) >= 10
    for name, path in files:
        got, decoder = _decode(read_bytes(path) * 2)  # the meter's next telegram: the same
        if "e350" in name:  # DSMR 4.2 with its CRC removed by the author of the capture
            assert got.count == 0 and decoder.unverified == 2, name
        else:  # DSMR 2.2 meters, EasyMeter Q3D, a Slovenian Iskra: no CRC by their protocol
            assert got.count >= 1 and decoder.unverified == 1, name


def test_the_fact_is_kept_with_the_line():
    from hanport.svc.hub import Hub
    from hanport.svc.meter import MeterService

    class Store:
        def __init__(self, value=None):
            self.value = value
            self.saved = []

        def load(self):
            return self.value

        def save_text(self, text):
            self.saved.append(text)

    meter_clock = SwedishMeter(2)
    store = Store()
    meter = MeterService(BytesSource(meter_clock.telegram() + meter_clock.telegram()), Hub("t", "0"), line_store=store)
    while meter.poll():
        pass
    assert meter.search is None and '"crc": true' in store.saved[-1]
    import json

    stored = json.loads(store.saved[-1])
    again = MeterService(BytesSource(telegram(DSMR22, crc=False) * 3), Hub("t", "0"), line_store=Store(stored))
    assert again.decoder.framer.meter_sends_crc is True
    while again.poll():
        pass
    assert again.stats()["ok"] == 0 and again.stats()["crc_error"] == 3
