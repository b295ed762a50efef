# The project's own telegram generator: every style decodes to the values it meant to send.
from hanport.core.p1.decoder import Decoder
from support import Collector
from telegen import STYLES, SwedishMeter, swedish_local


def test_generated_telegrams_decode_to_their_truth():
    for style in sorted(STYLES):
        meter = SwedishMeter(seed=7, style=style)
        got = Collector()
        dec = Decoder(got)
        truths = []
        for _ in range(60):
            dec.feed(meter.telegram())
            truths.append(meter.truth)
        assert got.count == 60 and got.bad == 0
        for reading, truth in zip(got.items, truths):
            for key in truth:
                value = reading[key]
                if key.startswith("voltage") or key.startswith("current"):
                    value = str(value)
                assert value == truth[key], (style, key, value, truth[key])
            assert len(reading) == len(truth)


def test_swedish_clock_and_dst():
    # 2026-03-29 01:00 UTC: CET -> CEST; 2026-10-25 01:00 UTC: back.
    assert swedish_local(1774745999) == ("260329015959", "W")
    assert swedish_local(1774746000) == ("260329030000", "S")
    assert swedish_local(1792890000 - 1) == ("261025025959", "S")
    assert swedish_local(1792890000) == ("261025020000", "W")


def test_energy_integrates_exactly():
    meter = SwedishMeter(seed=2, interval=3600)
    meter.telegram()
    before = meter.energy[0]
    meter.telegram()
    assert meter.energy[0] - before == meter.truth["power_import_w"]  # 1 h at P W = P Wh
