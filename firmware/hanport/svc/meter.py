# Meter service: drains the serial source into the decoder as fast as bytes arrive and hands
# every valid telegram to the hub. Source injected: readinto(buf) -> n or None (never blocks).
# Imports asyncio (via ticks) and the core only.
from hanport.core.decoder import Decoder
from hanport.core.framer import CRC_BAD, CRC_OK
from hanport.core.native import copy_into
from hanport.core.reading import latin1
from hanport.ticks import sleep_ms

LAST_TELEGRAM_CAP = 2048  # copy kept for /api/v1/telegram (Swedish telegrams are ~0.7 KB)
LAST_BAD_CAP = 1024  # the last rejected telegram, for the support bundle (cut beyond this)
RX_CHUNK = 512  # one read; the UART driver's own ring buffer (rxbuf) holds the backlog
IDLE_MS = 20  # poll period when the line is quiet (115200 baud: 230 bytes per 20 ms)


class MeterService:
    def __init__(self, source, hub, decoder_cap=None):
        self.source = source
        self.hub = hub
        self.rx = bytearray(RX_CHUNK)  # allocated once, before the heap fragments
        self.decoder = Decoder(self._on_telegram) if decoder_cap is None else Decoder(self._on_telegram, decoder_cap)
        self.bytes_total = 0
        self.errors = 0
        self.last_raw = bytearray(LAST_TELEGRAM_CAP)  # last valid telegram, "/" .. "!"
        self.last_len = 0
        self.last_crc = None  # CRC digits as sent, or None for a CRC-less meter
        self.last_bad = bytearray(LAST_BAD_CAP)
        self.last_bad_len = 0  # bytes kept (the telegram may have been longer)
        self.last_bad_full_len = 0
        self.last_bad_verdict = None
        self.last_bad_crc = 0

    def _on_telegram(self, reading, framer):
        if reading is not None:
            if framer.length <= LAST_TELEGRAM_CAP:
                copy_into(self.last_raw, 0, framer.buf, 0, framer.length)
                self.last_len = framer.length
                self.last_crc = framer.crc_sent if framer.crc_state == CRC_OK else None
            self.hub.telegram(reading)
        else:
            n = framer.length if framer.length <= LAST_BAD_CAP else LAST_BAD_CAP
            copy_into(self.last_bad, 0, framer.buf, 0, n)
            self.last_bad_len = n
            self.last_bad_full_len = framer.length
            self.last_bad_verdict = "crc_error" if framer.crc_state == CRC_BAD else "unparsable"
            self.last_bad_crc = framer.crc_sent

    def support_telegrams(self):
        """The last valid and the last rejected telegram with their verdicts (allocates)."""
        out = []
        raw = self.last_telegram_text()
        if raw is not None:
            out.append({"verdict": "crc_ok" if self.last_crc is not None else "ok_no_crc", "raw": latin1(raw, 0, len(raw))})
        if self.last_bad_verdict is not None:
            item = {"verdict": self.last_bad_verdict, "raw": latin1(self.last_bad, 0, self.last_bad_len)}
            item["crc_sent"] = "%04X" % self.last_bad_crc
            if self.last_bad_full_len > self.last_bad_len:
                item["cut_at"] = self.last_bad_len
            out.append(item)
        return out

    def last_telegram_text(self):
        """The last valid telegram as sent (with its CRC line), or None. Allocates: API only."""
        if not self.last_len:
            return None
        tail = b"\r\n" if self.last_crc is None else ("%04X\r\n" % self.last_crc).encode()
        return bytes(self.last_raw[: self.last_len]) + tail

    def poll(self):
        """Read and decode what is waiting now; returns the number of bytes read."""
        n = self.source.readinto(self.rx)
        if not n:
            return 0
        self.bytes_total += n
        self.hub.bytes_seen()
        self.decoder.feed(self.rx, 0, n)
        return n

    async def run(self):
        while True:
            try:
                n = self.poll()
            except Exception:  # e.g. MemoryError in a listener: keep reading, never die
                self.errors += 1
                n = 0
            # Yield after every chunk so other tasks run; rest a little when the line is quiet.
            await sleep_ms(0 if n == len(self.rx) else IDLE_MS)

    def stats(self):
        s = self.decoder.stats()
        s["bytes"] = self.bytes_total
        return s
