# Cross-check of the binary decoder against an independent one: PyPI `amshan` (construct-based
# HAN decoder for Aidon, Kaifa and Kamstrup lists) decodes every valid Swedish and Norwegian
# push in the corpus, and every value it reports must equal ours (CPython only).
from han import autodecoder as han  # PyPI amshan, pinned in requirements-dev.txt

from hanport.core.binary.dlms import OK, DlmsDecoder
from hanport.core.reading import Fixed, Reading
from test_dlms import _apdus

# amshan name -> ours. amshan reports energy in Wh and currents/voltages as floats.
NAMES = {
    "meter_id": "meter_id",
    "active_power_import": "power_import_w",
    "active_power_export": "power_export_w",
    "reactive_power_import": "reactive_power_import_var",
    "reactive_power_export": "reactive_power_export_var",
    "active_power_import_total": "energy_import_wh",
    "active_power_export_total": "energy_export_wh",
    "reactive_power_import_total": "reactive_energy_import_varh",
    "reactive_power_export_total": "reactive_energy_export_varh",
}
for _ph in (1, 2, 3):
    NAMES["current_l%d" % _ph] = "current_l%d_a" % _ph
    NAMES["voltage_l%d" % _ph] = "voltage_l%d_v" % _ph
    for _theirs, _ours, _unit in (("active_power", "power", "w"), ("reactive_power", "reactive_power", "var")):
        for _dir in ("import", "export"):
            NAMES["%s_%s_l%d" % (_theirs, _dir, _ph)] = "%s_%s_l%d_%s" % (_ours, _dir, _ph, _unit)


def test_every_swedish_and_norwegian_push_matches_amshan():
    compared = files = 0
    for entry, apdu in _apdus():
        if not entry["country"].startswith(("Sweden", "Norway")):
            continue
        # Norwegian Kamstrup registers count 0.01 kWh (HAN-NVE), as amshan assumes; Swedish ones Wh
        swedish = entry["country"].startswith("Sweden")
        reading = Reading()
        assert DlmsDecoder(1 if swedish else 10).decode(apdu, 0, len(apdu), reading) == OK, entry["file"]
        ours = reading.to_dict()
        theirs = han.AutoDecoder().decode_message_payload(apdu)
        if theirs is None or len(theirs) <= 2:  # amshan has no 8-byte integers (se_kaifa_4)
            assert entry["file"] == "se_kaifa_4.hex", entry["file"]
            continue
        files += 1
        kamstrup_se = swedish and theirs.get("meter_manufacturer") == "Kamstrup"
        for name, value in theirs.items():
            if name == "meter_datetime":
                assert ours["meter_time"] == value.strftime("%Y-%m-%dT%H:%M:%S"), entry["file"]
                offset = value.utcoffset()
                if offset is not None and offset.total_seconds() in (3600, 7200):  # CET / CEST
                    assert ours["meter_dst"] is (offset.total_seconds() == 7200), entry["file"]
                elif offset is not None:  # Norwegian Aidon: deviation 0, a UTC clock
                    assert "meter_dst" not in ours, entry["file"]
                compared += 1
            elif name in NAMES:
                mine = ours[NAMES[name]]
                if kamstrup_se and name.endswith("_total"):
                    value = value // 10  # amshan applies the Norwegian 0.01 kWh step
                if isinstance(value, float) or isinstance(mine, Fixed):  # V, A: decimals as sent
                    assert abs(float(str(mine)) - value) < 1e-9, (entry["file"], name, mine, value)
                else:
                    assert mine == value, (entry["file"], name, mine, value)
                compared += 1
    print("amshan cross-check: %d pushes, %d values equal" % (files, compared))
    assert files >= 40 and compared >= 600, (files, compared)


def test_encrypted_frames_decrypt_with_the_key():
    # Frames sealed by PyPI cryptography's AES-GCM (the reference) in the way Norwegian, Danish
    # and Austrian meters send them; the decoder's own GCM counter mode must open them.
    from hanport.aes import block_cipher
    from hanport.core.binary.bindecoder import HdlcDecoder
    from hanport.core.binary.dlms import ENCRYPTED, WRONG_KEY
    from hanport.core.binary.gcm import GlobalCipher
    from hdlcgen import aidon_frame
    from telegen import SwedishMeter

    key = bytes.fromhex("8c1e5a0f3b7d2e4a6f9c0b1d3e5f7a2c")
    meter = SwedishMeter(4, "aidon", 10)
    for name, cipher, want in (
        ("right key", GlobalCipher(block_cipher(key)), OK),
        ("wrong key", GlobalCipher(block_cipher(bytes(16))), WRONG_KEY),
        ("no key", None, ENCRYPTED),
    ):
        got = []

        def record(reading, verdict, got=got):
            got.append((verdict, reading and reading.to_dict()))

        decoder = HdlcDecoder(record, None, 1, cipher)
        for counter in range(1, 30):  # frames of every length class up to 581 bytes
            decoder.feed(aidon_frame(meter, key, counter))
            verdict, values = got[-1]
            assert verdict == want, (name, counter, verdict)
            if want == OK:
                assert {k: str(v) for k, v in values.items()} == {k: str(v) for k, v in meter.truth.items()}
        assert len(got) == 29 and decoder.framer.fcs_error == 0
