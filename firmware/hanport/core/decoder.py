# The decoder the runtime uses: framer + parser + one reusable Reading. Feed it chunks from
# any serial source; it calls on_telegram(reading, framer) for every complete telegram
# (reading is None when the CRC failed). Allocation-free per telegram.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.drain import drain
from hanport.core.framer import CRC_BAD, DEFAULT_CAP, Framer
from hanport.core.parser import Parser
from hanport.core.profiles import ALL_PROFILES
from hanport.core.reading import Reading


class Decoder:
    def __init__(self, on_telegram, cap=DEFAULT_CAP, profiles=ALL_PROFILES, portable=None, reading=None):
        self.framer = Framer(cap)
        self.parser = Parser(profiles, portable)
        self.reading = Reading() if reading is None else reading  # the meter service shares one
        self._on_telegram = on_telegram

    def feed(self, data, start=0, end=-1):
        """Consume data[start:end] (end=-1: to the end); call back for each telegram."""
        drain(self.framer, self, data, start, end)

    def flush(self):
        """End of stream: deliver a telegram that still waits for CRC digits."""
        if self.framer.flush():
            self._deliver()

    def _deliver(self):
        framer = self.framer
        try:
            if framer.crc_state != CRC_BAD and self.parser.parse(framer.buf, framer.length, self.reading):
                self._on_telegram(self.reading, framer)
            else:
                self._on_telegram(None, framer)
        finally:
            framer.release()

    def stats(self):
        s = self.framer.stats()
        p = self.parser.stats()
        for k in p:
            s[k] = p[k]
        return s
