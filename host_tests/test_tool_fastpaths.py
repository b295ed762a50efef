# tools/fastparse.py and tools/fasttokens.py (p1decode's CPython fast paths) give exactly what the
# portable core gives: the same reading, counters, remembered lines and tokens, on every telegram
# of the corpus and on generated lines full of the cases the regexes must leave to the core
# (signs, glued or missing units, long numbers, stray brackets, bare LF, non-ASCII bytes).
import os
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from hanport.core.p1.framer import Framer
from hanport.core.p1.parser import Parser
from hanport.core.p1.textview import tokenize
from hanport.core.reading import Reading
from support import corpus_files, expected, feed_framer, read_bytes

sys.path.insert(0, os.path.join(ROOT, "tools"))
from fastparse import FastParser  # noqa: E402
from fasttokens import Tokenizer  # noqa: E402

SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def both(body):
    """(portable parser, its reading, its tokens), the same from the fast paths."""
    buf = bytearray(body)
    slow, fast = Parser(portable=True), FastParser()
    r_slow, r_fast = Reading(), Reading()
    ok_slow = slow.parse(buf, len(buf), r_slow)
    ok_fast = fast.parse(buf, len(buf), r_fast)
    assert ok_slow == ok_fast
    return (slow, r_slow, tokenize(buf, len(buf), slow)), (fast, r_fast, Tokenizer().tokenize(buf, len(buf), fast))


def assert_same(body):
    (slow, r_slow, t_slow), (fast, r_fast, t_fast) = both(body)
    assert r_fast.to_dict() == r_slow.to_dict()
    assert fast.stats() == slow.stats()
    assert fast.line_start[: fast.n_lines] == slow.line_start[: slow.n_lines]
    assert t_fast == t_slow
    return slow


def test_every_corpus_telegram():
    files = corpus_files(".txt")
    assert len(files) >= 70, len(files)
    telegrams = []
    for _, path in files:
        framer = Framer()

        def take(framer=framer):
            telegrams.append(bytes(framer.buf[: framer.length]))
            framer.release()

        feed_framer(framer, read_bytes(path), 4096, take)
    assert len(telegrams) == sum(len(expected(name)) for name, _ in files), len(telegrams)
    objects = 0
    for body in telegrams:
        objects += assert_same(body).objects
    assert objects > 1500, objects  # the fast path had real work


codes = st.sampled_from(
    ["1-0:1.8.0", "1-0:2.8.0", "1-0:3.8.0", "1-0:1.7.0", "1-0:21.7.0", "1-0:62.7.0", "1-0:32.7.0", "1-0:31.7.0"]
    + ["0-0:1.0.0", "0-0:96.1.0", "0-1:24.2.1", "1-0:1.8.0*255", "1-0:1.8.1", "9-9:9.9.9", "1-0:1:8.0", ""]
)
digits = st.text(alphabet="0123456789", min_size=1, max_size=12)
# Mostly numbers as meters send them (any length, 0-7 decimals: rounding, overflow, leading
# zeros), some that only the core's loop may judge.
numbers = st.one_of(
    digits,
    st.builds(lambda w, f: w + "." + f, digits, st.text(alphabet="0123456789", min_size=1, max_size=7)),
    st.builds(lambda w, f: w + "." + f, digits, st.text(alphabet="0123456789", min_size=1, max_size=7)),
    st.text(alphabet="0123456789.-+ (", max_size=12),
)
units = st.sampled_from(
    ["", "*", "*kWh", "*kW", "*KW", "*W", "*Wh", "*kvarh", "*kVArh", "*VA", "*var", "*k", "*kx"]
    + ["*V", "*A", "*m3", "*x", "kW", "*k*W", "*kW(", "\xe5"]
)
groups = st.builds(lambda v, u: "(" + v + u + ")", numbers, units)
object_line = st.builds(lambda c, gs: c + "".join(gs), codes, st.lists(groups, min_size=1, max_size=3))
lines = st.one_of(
    object_line,
    object_line,
    object_line,
    groups,  # a continuation line
    st.builds(lambda c, v: c + "(" + v, codes, numbers),  # no closing bracket
    st.text(max_size=20),
)


@SETTINGS
@given(st.lists(lines, min_size=1, max_size=25), st.sampled_from(["\r\n", "\n"]))
def test_generated_lines(body_lines, eol):
    body = ("/XXX5 id\xab" + eol + eol + eol.join(body_lines) + eol + "!").encode("latin-1", "replace")
    assert_same(body)


def test_every_edge_value_with_every_unit():
    """Each Swedish code with each edge number and unit: half-up rounding on a 5, nine and ten
    significant digits, leading zeros, overflow of 2**31 after scaling, no fraction, k or not."""
    edge_numbers = ["0", "5", "0003.125", "0.0005", "12.3455", "12.3445", "1.9995", "999999999", "0999999999"]
    edge_numbers += ["1000000000", "2147483.647", "2147483.648", "2147484", "00000000000001.5", "7.", ".5"]
    edge_units = ["*kWh", "*KWH", "*Wh", "*kvarh", "*kVArh", "*VA", "*A", "*V", "*m3", "*", "", "*k", "kW"]
    all_lines = [
        c + "(" + v + u + ")"
        for c in ["1-0:1.8.0", "1-0:21.7.0", "1-0:32.7.0", "1-0:31.7.0"]
        for v in edge_numbers
        for u in edge_units
    ]
    fast_lines = 0
    for k in range(0, len(all_lines), 20):
        body = ("/XXX5x\r\n\r\n" + "\r\n".join(all_lines[k : k + 20]) + "\r\n!").encode()
        assert_same(body)
        # each line on its own too: a value kept by one line cannot hide another's
        for line in all_lines[k : k + 20]:
            reading = assert_same(("/XXX5x\r\n\r\n" + line + "\r\n!").encode())
            fast_lines += reading.objects
    assert fast_lines == len(all_lines)
