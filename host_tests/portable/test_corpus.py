# The real-meter corpus (../shared/telegrams): every ASCII capture decodes to exactly its
# reference tokenization, and every CRC-valid Swedish telegram to the exact canonical values.
from hanport.core.p1.framer import CRC_BAD, CRC_OK, Framer
from hanport.core.p1.parser import Parser
from hanport.core.p1.textview import tokenize
from hanport.core.reading import Reading
from support import corpus_files, expected, feed_framer, read_bytes

_VERDICT = {CRC_OK: True, CRC_BAD: False}


def decode_file(path, chunk=4096):
    framer, parser, reading = Framer(), Parser(), Reading()
    out = []
    data = read_bytes(path)

    def take():
        parser.parse(framer.buf, framer.length, reading)
        header, objects = tokenize(framer.buf, framer.length, parser)
        verdict = _VERDICT.get(framer.crc_state)
        out.append((verdict, header, objects, reading.to_dict() if verdict is not False else None))
        framer.release()

    feed_framer(framer, data, chunk, take)
    return out, parser


def test_every_ascii_file_matches_its_reference():
    files = corpus_files(".txt")
    assert len(files) >= 70, len(files)
    for name, path in files:
        for chunk in (4096, 7):
            got, parser = decode_file(path, chunk)
            want = expected(name)
            assert len(got) == len(want), (name, len(got), len(want))
            for (verdict, header, objects, _), ref in zip(got, want):
                assert verdict == ref["crc_ok"], (name, verdict)
                if verdict is False:
                    continue
                assert header == ref["header"], (name, header)
                assert objects == ref["objects"], name
            assert parser.errors == 0, name


# Independent scaling of the reference strings: Swedish OBIS -> (canonical name, kind).
_SE = {
    "1-0:1.8.0": "energy_import_wh",
    "1-0:2.8.0": "energy_export_wh",
    "1-0:3.8.0": "reactive_energy_import_varh",
    "1-0:4.8.0": "reactive_energy_export_varh",
    "1-0:1.7.0": "power_import_w",
    "1-0:2.7.0": "power_export_w",
    "1-0:3.7.0": "reactive_power_import_var",
    "1-0:4.7.0": "reactive_power_export_var",
    "1-0:21.7.0": "power_import_l1_w",
    "1-0:41.7.0": "power_import_l2_w",
    "1-0:61.7.0": "power_import_l3_w",
    "1-0:22.7.0": "power_export_l1_w",
    "1-0:42.7.0": "power_export_l2_w",
    "1-0:62.7.0": "power_export_l3_w",
    "1-0:23.7.0": "reactive_power_import_l1_var",
    "1-0:43.7.0": "reactive_power_import_l2_var",
    "1-0:63.7.0": "reactive_power_import_l3_var",
    "1-0:24.7.0": "reactive_power_export_l1_var",
    "1-0:44.7.0": "reactive_power_export_l2_var",
    "1-0:64.7.0": "reactive_power_export_l3_var",
    "1-0:32.7.0": "voltage_l1_v",
    "1-0:52.7.0": "voltage_l2_v",
    "1-0:72.7.0": "voltage_l3_v",
    "1-0:31.7.0": "current_l1_a",
    "1-0:51.7.0": "current_l2_a",
    "1-0:71.7.0": "current_l3_a",
}


def _to_base_units(value, unit):
    """'0001.023', 'kW' -> 1023 by string arithmetic (exact; only for up to 3 decimals)."""
    whole, _, frac = value.partition(".")
    if unit[0] in "kK":
        return int(whole) * 1000 + int((frac + "000")[:3])
    return int(whole)


def _as_sent(value):
    whole, dot, frac = value.partition(".")
    return str(int(whole)) + dot + frac


def test_swedish_canonical_reading_is_exact():
    checked = 0
    files = corpus_files(".txt", "se_")
    assert len(files) >= 12, files  # the Swedish ASCII captures of the corpus
    for name, path in files:
        got, _ = decode_file(path)
        for (verdict, _header, _objects, reading), ref in zip(got, expected(name)):
            if verdict is not True:
                continue
            assert reading["meter_id"] == ref["header"]
            for obis, groups in ref["objects"].items():
                value, unit = groups[0]
                if obis == "0-0:1.0.0":
                    v = value
                    assert reading["meter_time"] == "20%s-%s-%sT%s:%s:%s" % (v[0:2], v[2:4], v[4:6], v[6:8], v[8:10], v[10:12])
                    assert reading["meter_dst"] == (v[12] == "S")
                    continue
                field = _SE[obis]
                if field.endswith("_v") or field.endswith("_a"):
                    assert str(reading[field]) == _as_sent(value), (name, field)
                else:
                    assert reading[field] == _to_base_units(value, unit), (name, field, value)
                checked += 1
            sent = ref["objects"]
            if "1-0:1.7.0" in sent:
                imp = _to_base_units(*sent["1-0:1.7.0"][0])
                exp = _to_base_units(*sent["1-0:2.7.0"][0]) if "1-0:2.7.0" in sent else 0
                assert reading["power_w"] == imp - exp
            assert len(reading) == len(ref["objects"]) + 2 + ("1-0:1.7.0" in sent)  # + id, dst, power_w
    assert checked >= 12 * 26, checked


def test_reading_is_absent_for_crc_failures():
    files = corpus_files(".txt", "se_sagemcom-ellevio_3")
    assert len(files) == 1, files
    for _name, path in files:
        got, _ = decode_file(path)
        assert [g[0] for g in got] == [False] and got[0][3] is None
