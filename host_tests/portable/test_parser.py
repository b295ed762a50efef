# Parser: exact fixed point, units, quirks, malformed input, absent fields.
from hanport.core.p1.decoder import Decoder
from hanport.core.reading import Fixed
from support import Collector, telegram


def decode(lines, header="XXX5test"):
    got = Collector()
    dec = Decoder(got)
    dec.feed(telegram(lines, header))
    assert got.count == 1, dec.stats()
    return got.items[0], dec.parser


def test_exact_fixed_point_no_float():
    r, _ = decode(["1-0:21.7.0(0001.023*kW)", "1-0:1.8.0(00006678.394*kWh)"])
    assert r["power_import_l1_w"] == 1023  # amshan's float path gives 1022
    assert r["energy_import_wh"] == 6678394


def test_units_case_insensitive_and_base_units():
    r, _ = decode(
        [
            "1-0:3.8.0(00001759.974*kVArh)",
            "1-0:4.8.0(00000185.707*kvarh)",
            "1-0:3.7.0(0000.200*kvar)",
            "1-0:4.7.0(000000216*var)",
            "1-0:1.8.0(009699947*Wh)",
            "1-0:1.7.0(000000274*W)",
        ]
    )
    assert r["reactive_energy_import_varh"] == 1759974
    assert r["reactive_energy_export_varh"] == 185707
    assert r["reactive_power_import_var"] == 200
    assert r["reactive_power_export_var"] == 216
    assert r["energy_import_wh"] == 9699947
    assert r["power_import_w"] == 274


def test_unit_glued_or_missing():
    r, p = decode(["1-0:1.7.0(00.013kW)", "1-0:2.7.0(00.250)"])
    assert r["power_import_w"] == 13
    assert r["power_export_w"] == 250  # no unit: the spec's kW
    assert p.malformed == 0


def test_more_decimals_than_needed_round_half_up():
    # EasyMeter Q3D sends 7 decimals of kWh and W with 2 decimals.
    r, _ = decode(["1-0:1.8.0*255(00052185.7825309*kWh)", "1-0:21.7.0*255(000747.85*W)", "1-0:41.7.0(000737.28*W)"])
    assert r["energy_import_wh"] == 52185783
    assert r["power_import_l1_w"] == 748
    assert r["power_import_l2_w"] == 737


def test_decimals_as_sent():
    r, _ = decode(["1-0:32.7.0(230.1*V)", "1-0:31.7.0(003*A)", "1-0:51.7.0(007.0*A)", "1-0:71.7.0(200.00*A)"])
    assert r["voltage_l1_v"] == Fixed(2301, 1) and str(r["voltage_l1_v"]) == "230.1"
    assert str(r["current_l1_a"]) == "3"
    assert str(r["current_l2_a"]) == "7.0"
    assert str(r["current_l3_a"]) == "200.00"


def test_time_and_dst():
    r, _ = decode(["0-0:1.0.0(230724150730S)"])
    assert r["meter_time"] == "2023-07-24T15:07:30" and r["meter_dst"] is True
    r, _ = decode(["0-0:1.0.0(201020085222W)"])
    assert r["meter_dst"] is False
    r, p = decode(["0-0:1.0.0(202056789012W)"])  # Sanxing sample: month 20
    assert "meter_time" not in r and p.malformed == 1


def test_absent_fields_are_absent_and_reading_is_cleared():
    got = Collector()
    dec = Decoder(got)
    dec.feed(telegram(["1-0:1.8.0(00000001.000*kWh)", "1-0:1.7.0(0001.000*kW)"]))
    dec.feed(telegram(["1-0:1.8.0(00000002.000*kWh)"]))
    first, second = got.items
    assert first["power_import_w"] == 1000 and first["power_w"] == 1000
    assert "power_import_w" not in second and "power_w" not in second
    assert "energy_export_wh" not in second
    assert second["energy_import_wh"] == 2000


def test_power_w_is_import_minus_export():
    r, _ = decode(["1-0:1.7.0(0000.544*kW)", "1-0:2.7.0(0001.803*kW)"])
    assert r["power_w"] == 544 - 1803


def test_malformed_and_unknown_lines_are_counted_and_skipped():
    r, p = decode(
        [
            "1-0:99:97.0(2)(0:96.7.19)(101208152415W)(0000000240*s)",  # DSMR 4.0 spec example
            "1-0:72:32.0(00000)",
            "garbage without paren",
            "1-0:1.8.0(00000001.000*kWh)",
            "1-0:2.8.0(1234567890123*kWh)",  # too many digits for 31 bits
            "1-0:1.7.0(12x3*kW)",
            "1-0:2.7.0(0001.000*A)",  # wrong unit for a power
            "0-0:96.1.1(4B384547303034303436333935353037)",  # equipment id: no slot, kept raw
            "9-9:99.99.99(1)",  # unknown
            "1-0:21.7.0(0000.100*kW",  # no closing paren
        ]
    )
    assert r["energy_import_wh"] == 1000
    for name in ("energy_export_wh", "power_import_w", "power_export_w", "power_import_l1_w"):
        assert name not in r, name
    assert p.malformed == 7, p.stats()
    assert p.unknown == 2, p.stats()
    assert p.errors == 0


def test_multi_value_gas_and_mbus_types():
    r, _ = decode(
        [
            "0-1:24.1.0(003)",
            "0-1:24.2.1(101209112500W)(12785.123*m3)",
            "0-2:24.1.0(007)",
            "0-2:24.2.1(200512134558S)(00872.234*m3)",
            "0-3:24.2.1(700101010000W)(00000000)",  # Iskra AM550 empty channel placeholder
        ]
    )
    assert str(r["gas_m3"]) == "12785.123" and r["gas_time"] == "2010-12-09T11:25:00"
    assert str(r["water_m3"]) == "872.234" and r["water_time"] == "2020-05-12T13:45:58"


def test_dsmr22_gas_on_continuation_line():
    r, _ = decode(["0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)", "(00001.001)", "0-1:24.4.0(1)"])
    assert str(r["gas_m3"]) == "1.001" and r["gas_time"] == "2016-11-07T19:00:00"


def test_heat_in_gj():
    r, _ = decode(["0-1:24.1.0(004)", "0-1:24.2.1(260215200523W)(00240.860*GJ)"])
    assert str(r["heat_gj"]) == "240.860"


def test_belgian_capacity_tariff():
    r, _ = decode(["1-0:1.4.0(02.351*kW)", "1-0:1.6.0(200509134558S)(02.589*kW)"])
    assert r["power_avg_15min_w"] == 2351
    assert r["power_peak_month_w"] == 2589 and r["power_peak_month_time"] == "2020-05-09T13:45:58"


def test_header_bytes_map_one_to_one():
    r, _ = decode(["0-0:96.1.1(1)"], header="ELL5\\253833635_A")
    assert r["meter_id"] == "ELL5\\253833635_A"
    raw = b"/FLU5\xab769484_A\r\n\r\n1-0:1.8.0(00000001.000*kWh)\r\n!"
    from telegen import crc16_arc

    got = Collector()
    Decoder(got).feed(raw + ("%04X\r\n" % crc16_arc(raw)).encode())
    assert got.items[0]["meter_id"] == "FLU5" + chr(0xAB) + "769484_A"


def test_negative_values():
    r, _ = decode(["1-0:1.7.0(-0000.500*kW)"])
    assert r["power_import_w"] == -500


def test_every_single_byte_corruption_is_survived():
    from hanport.core.p1.decoder import Decoder

    base = bytearray(telegram(["0-0:1.0.0(201020085222W)", "1-0:1.8.0(00001605.055*kWh)", "1-0:32.7.0(234.4*V)"]))
    got = Collector(keep=False)
    dec = Decoder(got)
    for i in range(len(base)):
        for value in (0x00, 0x21, 0x28, 0x29, 0x2A, 0x2F, 0x0A, 0x39, 0xFF):
            data = bytearray(base)
            data[i] = value
            dec.feed(data)
            dec.feed(base)  # the next intact telegram always decodes
    assert got.count >= len(base) * 9
    assert dec.parser.errors == 0


def test_text_message_hex_or_plain():
    r, _ = decode(["0-0:96.13.0(303132333435363738393A3B3C3D3E3F)"])
    assert r["text_message"] == "0123456789:;<=>?"
    r, _ = decode(["0-0:96.13.0(Hello meter)"])
    assert r["text_message"] == "Hello meter"
    r, _ = decode(["0-0:96.13.0()"])
    assert r["text_message"] == ""


def test_belgian_peak_history():
    r, p = decode(
        [
            "0-0:98.1.0(3)(1-0:1.6.0)(1-0:1.6.0)(230801000000S)(632525252525W)(00.000*kW)"
            "(230901000000S)(230831181500S)(01.862*kW)(231001000000S)(230910183000S)(04.229*kW)"
        ]
    )
    assert r["power_peak_history"] == [
        {"month": "2023-08-01T00:00:00", "time": None, "power_w": 0},
        {"month": "2023-09-01T00:00:00", "time": "2023-08-31T18:15:00", "power_w": 1862},
        {"month": "2023-10-01T00:00:00", "time": "2023-09-10T18:30:00", "power_w": 4229},
    ]
    # The Hungarian billing record under the same code has no count: left raw, not misread.
    r, p = decode(["0-0:98.1.0(230701000000S)(000040.777*kWh)(03.564*kW)"])
    assert "power_peak_history" not in r and p.malformed == 0
