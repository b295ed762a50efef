# The decoder the runtime uses: framer + parser + one reusable Reading. Feed it chunks from
# any serial source; it calls on_telegram(reading, framer) for every complete telegram
# (reading is None when the CRC failed). Allocation-free per telegram.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.drain import drain
from hanport.core.native import crc16_arc
from hanport.core.p1.framer import CRC_BAD, DEFAULT_CAP, NO_CRC, Framer
from hanport.core.p1.parser import Parser
from hanport.core.p1.profiles import ALL_PROFILES
from hanport.core.reading import Reading

# meter.crc: when a telegram without a CRC is believed (issue 13). A bit flip can turn ")" into
# "!" and end a telegram early, or damage the CRC digits: such a telegram must never be taken
# as one from a meter that sends no CRC.
CRC_AUTO = "auto"  # only from a meter that identifies as CRC-less, never sent a CRC, and sent
# the same identification line in the telegram before (so a boot's first one is not published)
CRC_REQUIRED = "required"  # every telegram needs a valid CRC
CRC_OPTIONAL = "optional"  # any telegram without a CRC is taken (unsafe: for meters that break the rules)


def _crc_less(buf, n):
    from hanport.core.p1.crcless import sent_by_crc_less_meter  # only ever loaded for such telegrams

    return sent_by_crc_less_meter(buf, n)


class Decoder:
    def __init__(self, on_telegram, cap=DEFAULT_CAP, profiles=ALL_PROFILES, portable=None, reading=None, crc=CRC_AUTO):
        self.framer = Framer(cap)
        self.crc = crc
        self.unverified = 0  # telegrams without a CRC not believed (crc policy): dropped
        self._crc_less_ident = -1  # CRC of the previous telegram's identification line if it had no CRC
        self.parser = Parser(profiles, portable)
        self.reading = Reading() if reading is None else reading  # the meter service shares one
        self._on_telegram = on_telegram

    def restart(self):
        """As after a reboot: any partial telegram and what was learnt about the meter's CRC
        are forgotten (counters are kept). tools/damage.py runs each stream on a restarted one."""
        self.framer.reset()
        self.framer.meter_sends_crc = False
        self._crc_less_ident = -1

    def feed(self, data, start=0, end=-1):
        """Consume data[start:end] (end=-1: to the end); call back for each telegram."""
        drain(self.framer, self, data, start, end)

    def flush(self):
        """End of stream: deliver a telegram that still waits for CRC digits."""
        if self.framer.flush():
            self._deliver()

    def _believed(self, framer):
        if framer.crc_state != NO_CRC:
            self._crc_less_ident = -1
            return framer.crc_state != CRC_BAD
        crc = self.crc
        if crc == CRC_OPTIONAL:
            return True
        if crc == CRC_AUTO and _crc_less(framer.buf, framer.length):
            # A damaged telegram cut short at a flipped "!" rarely keeps its identification line
            # AND follows one with the same line that also had no CRC: a meter without CRC does.
            ident = crc16_arc(framer.buf, 0, framer.buf.find(b"\n", 0, framer.length))
            same = ident == self._crc_less_ident
            self._crc_less_ident = ident
            if same:
                return True
        else:
            self._crc_less_ident = -1
        self.unverified += 1
        return False

    def _deliver(self):
        framer = self.framer
        try:
            if self._believed(framer) and self.parser.parse(framer.buf, framer.length, self.reading):
                self._on_telegram(self.reading, framer)
            else:
                self._on_telegram(None, framer)
        finally:
            framer.release()

    def stats(self):
        s = self.framer.stats()
        s["unverified"] = self.unverified
        p = self.parser.stats()
        for k in p:
            s[k] = p[k]
        return s
