# The meter's format and line search as the meter service runs it: the core LineSearch, the
# binary-frame sniffer, switching the source's line, keeping what was found. Loaded only while
# searching: once found, this module, core/linedetect.py and core/binary/framesniff.py are unloaded (~5 KB).
# Imports the core only.
from hanport.core.binary.framesniff import FrameSniffer
from hanport.core.linedetect import HDLC, LineSearch, line_name


def ascii_start(data, n):
    """Where an ASCII telegram's identification line starts in data[:n], or -1: "/", the 3-letter
    maker code, then the baud digit (IEC 62056-21: "/ADN9", "/KFM5", "/Ene5") or another visible
    character (the Warmtelink heat meter sends "/NWA-WARMTELINK")."""
    i = 0
    while i + 4 < n:
        if data[i] == 0x2F and 0x21 <= data[i + 4] <= 0x7E:
            j = i + 1
            while j < i + 4 and (0x41 <= data[j] <= 0x5A or 0x61 <= data[j] <= 0x7A):
                j += 1
            if j == i + 4:
                return i
        i += 1
    return -1


class Search:
    def __init__(self, meter, stored):
        self.meter = meter
        self.core = LineSearch(stored, meter.window_ms) if meter.window_ms else LineSearch(stored)
        self.sniffer = None
        self.ascii_wanted = False
        if self.core.candidate == HDLC:  # stored: a binary meter, its decoder alone at first
            if meter.binary is None:
                meter.binary = meter._binary_decoder()
        else:
            self._ascii(meter)
            if isinstance(stored, dict) and stored.get("format") == "ascii" and meter.decoder is None:
                meter.decoder = meter._ascii_decoder()  # an ASCII meter found before: at once
        if meter.can_switch:
            meter.source.configure(*self.core.line())

    def _ascii(self, meter):
        """ASCII telegrams possible: the ASCII decoder is made once an identification line
        starts (meter.poll, ascii_start), and binary frames are recognised by a sniffer (no
        frame buffer) unless the binary decoder is there already. A binary meter never loads
        the ASCII stack: its names would stay interned (docs/memory.md)."""
        self.ascii_wanted = True
        if meter.binary is None and self.sniffer is None:
            self.sniffer = FrameSniffer()

    def describe(self):
        return self.core.describe()

    def ascii_start(self, data, n):  # for the meter service, which never imports this module
        return ascii_start(data, n)

    def sniff(self, data, n):
        for _ in range(self.sniffer.feed(data, 0, n)):
            if self.frame(HDLC):
                return

    def frame(self, fmt):
        """A frame with valid checks; True when it settles the search (then self is dropped)."""
        core = self.core
        if not core.frame(fmt):
            return False
        meter = self.meter
        meter.found = core.describe()
        meter.line = core.line()
        meter.quiet_ms = 0
        meter.search = None
        if fmt == HDLC:  # keep only the decoder of the format found (ASCII: a 2-6 KB buffer);
            meter.decoder = None  # the binary one is made by the next poll, after the ASCII
            # stack below has gone: the two are never on the heap together
        else:
            meter.binary = None
        meter.save_line()
        if meter.log is not None:
            meter.log("meter: found " + meter.found)
        # Unloaded: in the 20,000-telegram soak (64-bit port, 192 KB) 27.7 KB stay free after
        # gc.collect(), 23.4 KB when these modules are kept.
        from hanport.unload import ASCII_MODULES, forget

        forget(("hanport.svc.linesearch", "hanport.core.linedetect", "hanport.core.binary.framesniff"))
        if meter.decoder is None:
            forget(ASCII_MODULES)
        return True

    def elapsed(self, ms, got_bytes):
        core = self.core
        core.elapsed(ms, got_bytes)
        if core.switch:
            core.switch = False
            meter = self.meter
            self._ascii(meter)  # the stored binary line failed: ASCII is possible again
            if meter.can_switch:
                meter.source.configure(*core.line())
                if meter.log is not None:
                    meter.log("meter: nothing decodes, trying " + line_name(core.line()))
