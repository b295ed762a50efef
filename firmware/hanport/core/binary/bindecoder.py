# The decoder for binary HAN meters: HDLC framer + DLMS list decoder + one reusable Reading,
# with the ASCII Decoder's shape: feed chunks, on_frame(reading or None, verdict) per frame
# with valid checksums (damaged frames are only counted). Allocation-free per frame.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.binary.dlms import OK, VERDICTS, DlmsDecoder
from hanport.core.binary.hdlc import HdlcFramer
from hanport.core.drain import drain
from hanport.core.reading import Reading


class HdlcDecoder:
    def __init__(self, on_frame, reading=None, kamstrup_energy_wh=1, cipher=None):
        self.framer = HdlcFramer()
        self.dlms = DlmsDecoder(kamstrup_energy_wh, cipher)
        self.reading = reading if reading is not None else Reading()
        self.verdicts = [0] * len(VERDICTS)
        self.last_verdict = -1
        self._on_frame = on_frame

    def feed(self, data, start=0, end=-1):
        drain(self.framer, self, data, start, end)

    def _deliver(self):
        framer = self.framer
        try:
            verdict = self.dlms.decode(framer.payload, framer.payload_start, framer.payload_end, self.reading)
            self.verdicts[verdict] += 1
            self.last_verdict = verdict
            self._on_frame(self.reading if verdict == OK else None, verdict)
        finally:
            framer.release()

    def stats(self):
        s = self.framer.stats()
        for k in range(len(VERDICTS)):
            s["dlms_" + VERDICTS[k]] = self.verdicts[k]
        return s
