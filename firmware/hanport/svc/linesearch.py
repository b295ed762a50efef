# The meter's format and line search as the meter service runs it: the core LineSearch, the
# binary-frame sniffer, switching the source's line, keeping what was found. Loaded only while
# searching: once found, this module, core/linedetect.py and core/binary/framesniff.py are unloaded (~5 KB).
# Imports the core only.
from hanport.core.binary.framesniff import FrameSniffer
from hanport.core.linedetect import HDLC, LineSearch, line_name


class Search:
    def __init__(self, meter, stored):
        self.meter = meter
        self.core = LineSearch(stored, meter.window_ms) if meter.window_ms else LineSearch(stored)
        self.sniffer = None
        if self.core.candidate == HDLC:  # stored: a binary meter, its decoder alone at first
            if meter.binary is None:
                meter.binary = meter._binary_decoder()
        else:
            self._ascii(meter)
        if meter.can_switch:
            meter.source.configure(*self.core.line())

    def _ascii(self, meter):
        """The ASCII decoder, and binary frames recognised by a sniffer (no frame buffer)
        unless the binary decoder is there already."""
        if meter.decoder is None:
            meter.decoder = meter._ascii_decoder()
        if meter.binary is None and self.sniffer is None:
            self.sniffer = FrameSniffer()

    def describe(self):
        return self.core.describe()

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
