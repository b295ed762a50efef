# tools/fastjson.py (CPython's C JSON encoder, for p1decode) writes exactly the bytes of the
# portable core/jsonfmt.py, for any record p1decode can make: checked on generated records with
# every kind of text (NUL, control characters, DEL, non-ASCII) and decimal numbers. The corpus
# check is test_p1decode.py's: CPython (this encoder) and MicroPython (jsonfmt) print the same.
import os
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
from fastjson import dumps as fast_dumps  # noqa: E402
from hanport.core.jsonfmt import dumps  # noqa: E402
from hanport.core.reading import Fixed  # noqa: E402

texts = st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=12)
fixed = st.builds(Fixed, st.integers(-(10**12), 10**12), st.integers(0, 6))
values = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), texts, fixed)
readings = st.dictionaries(texts, st.one_of(values, st.lists(st.dictionaries(texts, values, max_size=3), max_size=3)), max_size=8)
records = st.fixed_dictionaries(
    {
        "crc_ok": st.sampled_from([True, False, None]),
        "header": texts,
        "obis": st.dictionaries(texts, st.lists(st.tuples(texts, st.one_of(st.none(), texts)).map(list), max_size=2), max_size=6),
    },
    optional={"reading": readings},
)


@settings(max_examples=400, deadline=None)
@given(records)
def test_the_c_encoder_writes_the_portable_bytes(record):
    assert fast_dumps(record) == dumps(record)


def test_both_refuse_floats_and_place_fixed_anywhere():
    record = {"header": "x", "reading": {"voltage_l1_v": Fixed(2301, 1), "n": -5}, "other": [Fixed(-5, 3)]}
    want = '{"header": "x", "other": [-0.005], "reading": {"n": -5, "voltage_l1_v": 230.1}}'
    assert fast_dumps(record) == dumps(record) == want
    for bad in ({"reading": {"x": 1.5}}, {"x": 1.5}):
        try:
            fast_dumps(bad)
        except TypeError as e:
            assert "fixed point" in str(e)
        else:
            raise AssertionError("a float was written")
