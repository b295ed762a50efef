# Binary HAN meters, decoding (issue #7) on both runtimes: every valid frame and raw APDU in the
# corpus gets the right verdict (decoded / encrypted / not a push we know), Swedish and Norwegian
# lists decode to the values their manifest notes state, generated frames decode to the
# generator's exact values, and damaged or cut APDUs never raise.
import binascii

from hanport.core.binary.dlms import ENCRYPTED, MALFORMED, OK, UNKNOWN_LIST, UNSUPPORTED, DlmsDecoder
from hanport.core.binary.hdlc import HdlcFramer, classify_apdu
from hanport.core.reading import Reading
from support import corpus_dir, read_bytes, read_json

# Firmware dumps taken after decryption that kept the general-glo-ciphering header (their notes:
# "GCM wrapper with cleartext payload", "Data after decryption"): on the wire that header means
# ciphertext, so the verdict must be "encrypted".
_CLEARTEXT_IN_CIPHERING = ("at_kaifa_6.hex", "dk_kamstrup_2.hex")
BINARY = ("hdlc", "dlms-apdu", "llc+dlms-apdu", "dlms-general-glo-ciphering-apdu")


def _apdus():
    """(manifest entry, information field) for every frame with valid checks and every raw APDU."""
    root = corpus_dir()
    for entry in read_json(root + "/manifest.json"):
        if entry["format"] not in BINARY:
            continue
        data = binascii.unhexlify(b"".join(read_bytes(root + "/" + entry["file"]).split()))
        if entry["format"] != "hdlc":
            yield entry, data
            continue
        framer = HdlcFramer()
        framer.feed(data, 0, len(data))
        if framer.ready:
            yield entry, bytes(framer.payload[framer.payload_start : framer.payload_end])


def _decode(apdu, kamstrup_energy_wh=1):
    reading = Reading()
    verdict = DlmsDecoder(kamstrup_energy_wh).decode(apdu, 0, len(apdu), reading)
    return verdict, reading.to_dict()


def _by_file():
    return {entry["file"]: apdu for entry, apdu in _apdus()}


def test_every_corpus_apdu_gets_its_verdict():
    counts = {}
    for entry, apdu in _apdus():
        verdict, values = _decode(apdu)
        notes = entry["notes"].lower()
        counts[verdict] = counts.get(verdict, 0) + 1
        # The manifest tags some unencrypted pushes "encrypted" and says so in the notes.
        ciphered = "encrypted" in entry["tags"] and "unencrypted" not in notes
        ciphered = ciphered or entry["file"] in _CLEARTEXT_IN_CIPHERING
        if classify_apdu(apdu, 0, len(apdu)) == "block-transfer":
            assert verdict == UNSUPPORTED, entry["file"]  # Landis+Gyr general block transfer
        elif ciphered:
            assert verdict == ENCRYPTED, (entry["file"], verdict)
        elif entry["country"].startswith(("Sweden", "Norway")):
            assert verdict == OK, (entry["file"], verdict)
            assert values["power_import_w"] >= 0, entry["file"]
        else:
            assert verdict in (OK, UNKNOWN_LIST, MALFORMED), (entry["file"], verdict)
    assert counts[OK] >= 50 and counts[ENCRYPTED] >= 25, counts


def test_values_stated_in_the_manifest_notes():
    apdus = _by_file()
    # se_aidon-hdlc_1: "negative L1 current (0xFFF6 = -1.0 A) shows signed long with scaler -1"
    _, aidon = _decode(apdus["se_aidon-hdlc_1.hex"])
    assert str(aidon["current_l1_a"]) == "-1.0" and aidon["energy_import_wh"] > 0
    assert aidon["reactive_power_import_l1_var"] == 0 and "meter_id" not in aidon  # Aidon SE sends no id
    # se_aidon-dlms_1: "27-element notification ... clock 2020-11-08 00:12:24". The bytes are
    # 07E4 0B 08 00 0C 18 28: the 00 is the weekday (Aidon writes Sunday as 0, se_aidon-hdlc_1
    # too, also a Sunday), so the time is 12:24:40; the note read the weekday as the hour.
    _, aidon = _decode(apdus["se_aidon-dlms_1.hex"])
    assert aidon["meter_time"] == "2020-11-08T12:24:40" and "meter_dst" not in aidon  # status FF: unknown
    numbers = [k for k in aidon if k.endswith(("_w", "_var", "_wh", "_varh", "_v", "_a"))]
    assert len(numbers) == 26 + 1  # 26 objects besides the clock, and the derived power_w
    # se_kaifa-ma304h4_1: "clock 2022-10-15 with deviation 0xC400 (-60 min)", meter id with GS1 734
    _, kaifa = _decode(apdus["se_kaifa-ma304h4_1.hex"])
    assert kaifa["meter_time"].startswith("2022-10-15T") and kaifa["meter_dst"] is False
    assert kaifa["meter_id"].startswith("734")
    # se_kaifa-ma304h4d_1: KFM_001 list without OBIS codes, "hourly energy registers included"
    _, kaifa = _decode(apdus["se_kaifa-ma304h4d_1.hex"])
    assert kaifa["meter_id"] == "7340157011274532" and "energy_import_wh" in kaifa and "voltage_l3_v" in kaifa
    # se_kaifa_4: "CT meter, energy as 8-byte unsigned long long (0x15)"
    _, kaifa = _decode(apdus["se_kaifa_4.hex"])
    assert kaifa["energy_import_wh"] == 0 and kaifa["meter_time"] == "2021-05-07T14:47:45"
    # se_kaifa_3: single-phase MA105H2E: one voltage, one current
    _, kaifa = _decode(apdus["se_kaifa_3.hex"])
    assert "voltage_l1_v" in kaifa and "voltage_l2_v" not in kaifa and "current_l2_a" not in kaifa
    # no_kaifa_4: list 1, "single instantaneous power value"
    _, kaifa = _decode(apdus["no_kaifa_4.hex"])
    assert set(kaifa) == {"meter_time", "meter_dst", "power_import_w", "power_w"}
    # no_amshan-kamstrup_2: single-phase Kamstrup pads the missing phases with null-data
    _, kam = _decode(apdus["no_amshan-kamstrup_2.hex"], 10)
    assert "current_l1_a" in kam and "current_l2_a" not in kam and kam["meter_id"] == "5705705705705702"
    # se_kamstrup_2: "Swedish Kamstrup uses Wh scaling (vs Wh/10 in Norway)"
    _, se = _decode(apdus["se_kamstrup_2.hex"], 1)
    _, no = _decode(apdus["se_kamstrup_2.hex"], 10)
    assert no["energy_import_wh"] == 10 * se["energy_import_wh"] and no["power_import_w"] == se["power_import_w"]


def test_generated_frames_decode_to_the_generators_values():
    from hdlcgen import aidon_frame
    from telegen import SwedishMeter

    for seed in (1, 2, 3):
        meter = SwedishMeter(seed, "aidon", 10)
        framer = HdlcFramer()
        reading = Reading()
        decoder = DlmsDecoder()
        for _ in range(20):
            frame = aidon_frame(meter)
            framer.feed(frame, 0, len(frame))
            assert framer.ready
            assert decoder.decode(framer.payload, framer.payload_start, framer.payload_end, reading) == OK
            framer.release()
            got = {k: str(v) for k, v in reading.to_dict().items()}
            assert got == {k: str(v) for k, v in meter.truth.items()}


def test_damaged_and_cut_apdus_never_raise():
    apdus = _by_file()
    reading = Reading()
    decoder = DlmsDecoder()
    seed = 12345
    for name in ("se_aidon-hdlc_1.hex", "se_kaifa-ma304h4_1.hex", "se_kaifa-ma304h4d_1.hex", "se_kamstrup_2.hex"):
        apdu = apdus[name]
        for cut in range(len(apdu)):  # every truncation
            assert decoder.decode(apdu, 0, cut, reading) in (OK, MALFORMED, UNSUPPORTED, UNKNOWN_LIST)
        for _ in range(300):  # random byte damage (xorshift: the same on both runtimes)
            damaged = bytearray(apdu)
            for _ in range(1 + seed % 4):
                seed ^= (seed << 13) & 0xFFFFFFFF
                seed ^= seed >> 17
                seed ^= (seed << 5) & 0xFFFFFFFF
                damaged[seed % len(damaged)] = (seed >> 8) & 0xFF
            verdict = decoder.decode(damaged, 0, len(damaged), reading)
            assert 0 <= verdict <= 4
            if verdict == OK:
                reading.to_dict()  # whatever was kept is writable


def test_encrypted_frames_decrypt_the_same_in_place():
    # Boards without PSRAM decrypt in the frame's own buffer (2 KB less heap): the same reading.
    # The frames are encrypted by the copying cipher (counter mode is its own inverse; a real
    # AES-GCM checks it in host_tests/test_dlms_crosscheck.py), so this runs on MicroPython too.
    from hanport.aes import glo_cipher
    from hanport.core.binary.bindecoder import HdlcDecoder
    from hdlcgen import TITLE, aidon_frame, hdlc_frame
    from telegen import SwedishMeter

    key = bytes(range(16))
    encrypt = glo_cipher(key)
    got = []

    def take(reading, verdict):
        got.append((verdict, reading and reading.to_dict()))

    def frame(meter, counter):
        plain = aidon_frame(meter)[12:-3]  # flag, HDLC header (8), LLC (3) | APDU | FCS, flag
        size = 5 + len(plain)
        head = bytes((0xDB, 8)) + TITLE + bytes((0x82, size >> 8, size & 0xFF, 0x20)) + counter.to_bytes(4, "big")
        n = encrypt.decrypt(head + plain, 0, len(head) + len(plain))
        return hdlc_frame(b"\xe6\xe7\x00" + head + bytes(encrypt.plain[:n]))

    for in_place in (False, True):
        meter = SwedishMeter(4, "aidon", 10)
        decoder = HdlcDecoder(take, None, 1, glo_cipher(key, in_place))
        for counter in range(1, 6):
            decoder.feed(frame(meter, counter))
            assert got[-1][0] == OK
            assert {k: str(v) for k, v in got[-1][1].items()} == {k: str(v) for k, v in meter.truth.items()}
        assert (decoder.dlms.cipher.plain is None) is in_place
    wrong = HdlcDecoder(take, None, 1, glo_cipher(bytes(16), True))
    wrong.feed(frame(SwedishMeter(4), 1))
    assert got[-1][0] == 5  # WRONG_KEY
