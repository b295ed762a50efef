# The format and line search (issue #7) on both runtimes, with a fake clock: every line setting
# is tried in turn while nothing decodes, 2 frames of one format settle it, a settled line keeps
# its setting through silence but is searched again when only undecodable bytes arrive, and a
# stored line is tried first (bad stored data is ignored).
from hanport.core.linedetect import ASCII, HDLC, LINES, LineSearch, line_name


def _run(search, ms, step=500, got_bytes=True):
    switches = []
    for _ in range(ms // step):
        search.elapsed(step, got_bytes)
        if search.switch:
            search.switch = False
            switches.append(search.line())
    return switches


def test_each_line_in_turn_then_round_again():
    search = LineSearch(window_ms=3000)
    assert search.line() == (115200, "N", 0) and not search.settled
    switches = _run(search, 3000 * len(LINES))
    assert switches == list(LINES[1:]) + [LINES[0]]
    assert search.describe() == "searching: trying 115200 8N1 (1 of 6)"


def test_two_frames_of_one_format_settle():
    search = LineSearch(window_ms=3000)
    _run(search, 6000)  # now on 2400 8E1
    assert search.frame(HDLC) is False
    assert search.frame(ASCII) is False  # a different format starts the count again
    assert search.frame(HDLC) is False
    assert search.frame(HDLC) is True and search.settled and search.format == HDLC
    assert search.state() == {"format": HDLC, "baud": 2400, "parity": "E", "flip": 0}
    assert search.describe() == "HDLC/DLMS, 2400 8E1"
    assert _run(search, 60000, got_bytes=False) == []  # silence: keep the line
    assert search.settled


def test_frames_within_the_window_keep_the_line():
    search = LineSearch(window_ms=3000)
    for _ in range(10):  # one good frame every 2.5 s but never two of the same format
        _run(search, 2500)
        search.frame(HDLC if search.good == 0 else ASCII)
    assert search.line() == LINES[0]


def test_found_line_searched_again_when_nothing_decodes():
    # The meter service watches a found line (the search itself is dropped once found).
    from hanport.svc.hub import Hub
    from hanport.svc.meter import LOST_MS, MeterService
    from telegen import SwedishMeter

    class Source:
        def __init__(self):
            self.lines = []
            self.data = b""

        def readinto(self, buf):
            n = min(len(buf), len(self.data))
            buf[:n] = self.data[:n]
            self.data = self.data[n:]
            return n

        def configure(self, baud, parity, flip):
            self.lines.append((baud, parity, flip))

    source = Source()
    meter = MeterService(source, Hub("t", "0"), line_window_ms=3000)
    telegrams = SwedishMeter(3)
    assert meter.decoder is None  # made when an identification line comes
    source.data = telegrams.telegram() + telegrams.telegram()
    while meter.poll():
        pass
    assert meter.search is None and meter.describe() == "ASCII, 115200 8N1"
    meter.elapsed(10 * LOST_MS, False)  # silence keeps the line
    meter.elapsed(LOST_MS - 1000, True)
    assert meter.search is None  # not yet
    meter.elapsed(1000, True)
    assert meter.search is not None and meter.describe().startswith("searching")
    assert source.lines == [LINES[0], LINES[0]]  # the found line, set again
    meter.elapsed(3000, True)
    assert source.lines[-1] == LINES[1]


def test_stored_line_first_and_bad_stored_data_ignored():
    stored = {"format": "hdlc", "baud": 2400, "parity": "N", "flip": 1}
    search = LineSearch(stored, 3000)
    assert search.line() == (2400, "N", 1) and not search.settled
    search.frame(HDLC)
    assert search.frame(HDLC) is True
    assert line_name(search.line()) == "2400 8N1 inverted"
    for bad in (None, [], "x", {"baud": 9600, "parity": "N", "flip": 0}, {"baud": "2400"}):
        assert LineSearch(bad, 3000).line() == LINES[0]


def test_sniffer_counts_the_frames_the_framer_checks():
    import binascii

    from hanport.core.binary.framesniff import FrameSniffer
    from hanport.core.binary.hdlc import HdlcFramer
    from support import corpus_dir, read_bytes, read_json

    root = corpus_dir()
    files = 0
    for entry in read_json(root + "/manifest.json"):
        if entry["format"] != "hdlc":
            continue
        data = binascii.unhexlify(b"".join(read_bytes(root + "/" + entry["file"]).split()))
        framer = HdlcFramer()
        i = 0
        while i < len(data):
            i = framer.feed(data, i, len(data))
            if framer.ready:
                framer.release()
        sniffer = FrameSniffer()
        found = 0
        for k in range(0, len(data), 5):  # chunked: state carries over
            found += sniffer.feed(data, k, min(k + 5, len(data)))
        assert found == framer.ok == sniffer.frames, entry["file"]
        inverted = bytes([b ^ 0xFF for b in data])  # a wrongly inverted line: nothing
        assert FrameSniffer().feed(inverted, 0, len(inverted)) == 0, entry["file"]
        files += 1
    assert files >= 100


def test_binary_meter_found_unloads_the_ascii_stack():
    # A binary meter never needs the ASCII decoder: once its line is found, the decoder and the
    # modules only it uses leave sys.modules (~16 KB of a 32-bit heap, make mem).
    import sys

    from hanport.core.p1 import framer
    from hanport.svc import meter as meter_module
    from hanport.svc.hub import Hub
    from hanport.svc.meter import MeterService
    from hanport.unload import ASCII_MODULES
    from hdlcgen import aidon_frame
    from support import BytesSource
    from telegen import SwedishMeter

    if hasattr(meter_module, "_CRC_OK"):  # CPython; MicroPython folds _NAME = const() away
        assert (meter_module._CRC_OK, meter_module._CRC_BAD) == (framer.CRC_OK, framer.CRC_BAD)

    clock = SwedishMeter(3)
    hub = Hub("t", "0")
    meter = MeterService(BytesSource(b"".join(aidon_frame(clock, None, c) for c in (1, 2, 3, 4))), hub, line_window_ms=3000)
    while meter.poll():
        assert meter.decoder is None  # a binary stream never loads the ASCII stack
    assert meter.search is None and meter.decoder is None and meter.describe().startswith("HDLC")
    assert [name for name in ASCII_MODULES if name in sys.modules] == []
    assert hub.seq >= 1 and meter.reading is meter.binary.reading
    # The ASCII stack comes back when the line is searched again.
    meter.elapsed(meter_module.LOST_MS, True)
    assert meter.search is not None and meter.search.ascii_wanted and meter.decoder is None
    meter.source = BytesSource(clock.telegram())
    meter.poll()
    assert meter.decoder is not None and "hanport.core.p1.decoder" in sys.modules
