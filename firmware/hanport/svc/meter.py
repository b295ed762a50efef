# Meter service: drains the serial source into the decoders as fast as bytes arrive and hands
# every valid telegram or binary frame to the hub; finds the meter's format and serial line
# (core/detect.py) and keeps what it found. Source injected: readinto(buf) -> n (never blocks),
# optionally configure(baud, parity, flip). Imports asyncio (via ticks) and the core only.
from hanport.core import detect
from hanport.core.decoder import Decoder
from hanport.core.framer import CRC_BAD, CRC_OK
from hanport.core.jsonfmt import dumps
from hanport.core.native import copy_into
from hanport.core.reading import latin1
from hanport.ticks import sleep_ms, ticks_diff, ticks_ms

_DLMS_OK = 0  # core/dlms.py verdicts, not imported: that module loads only for binary meters
_DLMS_ENCRYPTED = 1
_DLMS_WRONG_KEY = 5

LAST_TELEGRAM_CAP = 2048  # copy kept for /api/v1/telegram (Swedish telegrams are ~0.7 KB)
LAST_BAD_CAP = 1024  # the last rejected telegram, for the support bundle (cut beyond this)
RX_CHUNK = 512  # one read; the UART driver's own ring buffer (rxbuf) holds the backlog
IDLE_MS = 20  # poll period when the line is quiet (115200 baud: 230 bytes per 20 ms)


def _sniffer():
    from hanport.core.sniff import FrameSniffer

    return FrameSniffer()


def _forget_sniffer():
    """Drop the sniffer's module once the format is known: its code is not needed again."""
    import sys

    sys.modules.pop("hanport.core.sniff", None)
    package = sys.modules.get("hanport.core")
    if package is not None and hasattr(package, "sniff"):
        delattr(package, "sniff")


class MeterService:
    def __init__(
        self, source, hub, decoder_cap=None, line_store=None, line_window_ms=detect.WINDOW_MS, log=None, key="", kamstrup_wh=1
    ):
        self.source = source
        self.hub = hub
        self.rx = bytearray(RX_CHUNK)  # allocated once, before the heap fragments
        self.decoder_cap = decoder_cap
        self.decoder = self._ascii_decoder()
        self.binary = None  # HDLC/DLMS decoder, made by _binary_decoder() while it is needed
        self.reading = self.decoder.reading  # one Reading shared by both decoders
        self.line_store = line_store
        self.log = log
        self.key = key  # meter.key: AES-128 key (hex) for encrypted binary meters, or ""
        self.kamstrup_wh = kamstrup_wh
        stored = line_store.load() if line_store is not None else None
        self.search = detect.LineSearch(stored, line_window_ms)
        self.can_switch = hasattr(source, "configure")  # a capture replay cannot change its line
        if self.can_switch:
            source.configure(*self.search.line())
        # While searching, binary frames are only recognised (their FCS computed as bytes pass):
        # the HDLC/DLMS decoder is loaded once a binary meter is found; an ASCII meter never pays.
        self.sniffer = None
        if self.search.candidate == detect.HDLC:  # the stored line: a binary meter
            self.binary = self._binary_decoder()
        else:
            self.sniffer = _sniffer()
        self.last_kind = None  # "ascii" or "hdlc": the format of the last valid frame
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

    def _ascii_decoder(self):
        if self.decoder_cap is None:
            return Decoder(self._on_telegram)
        return Decoder(self._on_telegram, self.decoder_cap)

    def _binary_decoder(self):
        from hanport.core.bindecoder import HdlcDecoder

        cipher = None
        if self.key:
            from hanport.aes import block_cipher, parse_key
            from hanport.core.gcm import GlobalCipher

            cipher = GlobalCipher(block_cipher(parse_key(self.key)))
        return HdlcDecoder(self._on_frame, self.reading, self.kamstrup_wh, cipher)

    def _on_frame(self, reading, verdict):
        """A binary frame with valid checks (the decoders' callback)."""
        self._found(detect.HDLC)
        self.hub.encrypted = verdict == _DLMS_ENCRYPTED or verdict == _DLMS_WRONG_KEY
        framer = self.binary.framer
        if verdict == _DLMS_OK:
            copy_into(self.last_raw, 0, framer.buf, 0, framer.length)
            self.last_len = framer.length
            self.last_kind = detect.HDLC
            self.hub.telegram(reading)

    def _found(self, fmt):
        if not self.search.frame(fmt):
            return
        # Settled: keep the line for the next boot, and free the other format's decoder.
        if self.line_store is not None:
            try:
                self.line_store.save_text(dumps(self.search.state()))
            except (OSError, ValueError):
                pass  # a full or failing flash: found again after the next boot
        if self.log is not None:
            self.log("meter: found " + self.search.describe())
        self._decoders_for(self.search.format)

    def _on_telegram(self, reading, framer):
        if reading is not None or framer.crc_state == CRC_OK:
            self._found(detect.ASCII)
        if reading is not None:
            self.last_kind = detect.ASCII
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
        if self.last_kind == detect.HDLC:
            from binascii import hexlify

            out.append({"verdict": "frame_ok", "hex": hexlify(bytes(self.last_raw[: self.last_len])).decode()})
        elif raw is not None:
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
        if not self.last_len or self.last_kind != detect.ASCII:
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
        if self.decoder is not None:
            self.decoder.feed(self.rx, 0, n)
        if self.binary is not None:
            self.binary.feed(self.rx, 0, n)
        elif self.sniffer is not None:
            self._sniff(n)
        return n

    def _sniff(self, n):
        for _ in range(self.sniffer.feed(self.rx, 0, n)):
            if self.sniffer is None:
                break  # found: the binary decoder takes over from the next chunk
            self._found(detect.HDLC)

    def elapsed(self, ms, got_bytes):
        """The search's clock: switch the line when nothing decodes, and keep only the decoder
        of the format found (the ASCII one holds a 6 KB buffer, the binary one 2 KB)."""
        search = self.search
        search.elapsed(ms, got_bytes)
        if search.switch:
            search.switch = False
            if self.can_switch:
                self.source.configure(*search.line())
                if self.log is not None:
                    self.log("meter: nothing decodes, trying " + detect.line_name(search.line()))
        self._decoders_for(search.format)

    def _decoders_for(self, fmt):
        if fmt == detect.HDLC:
            self.decoder = None
            if self.sniffer is not None:
                self.sniffer = None
                _forget_sniffer()
            if self.binary is None:
                self.binary = self._binary_decoder()
        elif fmt == detect.ASCII:
            self.binary = None
            if self.sniffer is not None:
                self.sniffer = None
                _forget_sniffer()
        else:  # searching: both formats
            if self.decoder is None:
                self.decoder = self._ascii_decoder()
                self.decoder.reading = self.reading
            if self.binary is None and self.sniffer is None:
                self.sniffer = _sniffer()

    def describe(self):
        return self.search.describe()

    async def run(self):
        last = ticks_ms()
        while True:
            try:
                n = self.poll()
                now = ticks_ms()
                self.elapsed(ticks_diff(now, last), n > 0)
                last = now
            except Exception:  # e.g. MemoryError in a listener: keep reading, never die
                self.errors += 1
                n = 0
            # Yield after every chunk so other tasks run; rest a little when the line is quiet.
            await sleep_ms(0 if n == len(self.rx) else IDLE_MS)

    def stats(self):
        s = self.decoder.stats() if self.decoder is not None else {"ok": 0, "crc_error": 0}
        if self.binary is not None:
            b = s["hdlc"] = self.binary.stats()
            if self.decoder is None:  # a binary meter: its frames are the telegrams
                s["ok"] = b["dlms_ok"]
                s["crc_error"] = b["fcs_error"] + b["hcs_error"]
        s["bytes"] = self.bytes_total
        return s
