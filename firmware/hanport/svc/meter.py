# Meter service: drains the serial source into the decoders as fast as bytes arrive and hands
# every valid telegram or binary frame to the hub; finds the meter's format and serial line
# (core/linedetect.py, loaded only while searching) and keeps it. Source injected: readinto(buf)
# -> n (never blocks), optionally configure(baud, parity, flip). Imports asyncio (via ticks), core.
from hanport.core.const import const
from hanport.core.native import copy_into
from hanport.core.reading import Reading, latin1
from hanport.svc.hub import NO_DATA_MS
from hanport.ticks import sleep_ms, ticks_diff, ticks_ms

_DLMS_OK = 0  # core/binary/dlms.py verdicts, not imported: that module loads only for binary meters
_DLMS_ENCRYPTED = 1
_DLMS_WRONG_KEY = 5
# core/p1/framer.py's crc_state values, not imported: a binary meter never loads the ASCII stack
# (host_tests/portable/test_detect.py checks they agree).
_CRC_OK = const(1)
_CRC_BAD = const(0)
_ASCII = "ascii"  # the formats of core/linedetect.py
_HDLC = "hdlc"

LAST_TELEGRAM_CAP = 2048  # copy kept for /api/v1/telegram (Swedish telegrams are ~0.7 KB)
LAST_BAD_CAP = 1024  # the last rejected telegram, for the support bundle (cut beyond this)
RX_CHUNK = 512  # one read; the UART driver's own ring buffer (rxbuf) holds the backlog
IDLE_MS = 20  # poll period when the line is quiet (115200 baud: 230 bytes per 20 ms)
LOST_MS = 120000  # a found line with bytes but no valid frame this long is searched again


class MeterService:
    def __init__(
        self,
        source,
        hub,
        decoder_cap=None,
        line_store=None,
        line_window_ms=0,
        log=None,
        key="",
        kamstrup_wh=1,
        keep_copies=True,
        crc="auto",
    ):
        self.source = source
        self.hub = hub
        self.rx = bytearray(RX_CHUNK)  # allocated once, before the heap fragments
        self.decoder_cap = decoder_cap
        self.reading = Reading()  # one Reading shared by both decoders
        self.decoder = None  # ASCII decoder; svc/linesearch.py makes the one(s) the search needs
        self.binary = None  # HDLC/DLMS decoder, made by _binary_decoder() while it is needed
        self.line_store = line_store
        self.log = log
        self.key = key  # meter.key: AES-128 key (hex) for encrypted binary meters, or ""
        self.kamstrup_wh = kamstrup_wh
        self.window_ms = line_window_ms  # per line while searching (0: detect.WINDOW_MS)
        self.found = ""  # what was found, for the status page
        self.line = None  # (baud, parity, flip) found
        self.quiet_ms = 0  # since the last valid frame (or the end of a silence), once found
        self.silent_ms = 0  # how long no byte has come
        self.can_switch = hasattr(source, "configure")  # a capture replay cannot change its line
        self.crc = crc  # meter.crc: core/p1/decoder.py's policy for telegrams without a CRC
        self.keep_copies = keep_copies  # set before the search: a stored binary line's decoder reads it
        stored = line_store.load() if line_store is not None else None
        # "this meter sends CRCs", kept with the line: after a reboot a telegram without a CRC
        # is still damage, from the first byte on
        self.crc_seen = isinstance(stored, dict) and stored.get("crc") is True
        from hanport.svc.linesearch import Search  # svc/linesearch.py: unloaded again once found

        self.search = Search(self, stored)
        self.last_kind = None  # "ascii" or "hdlc": the format of the last valid frame
        self.bytes_total = 0
        self.errors = 0
        # Copies for /api/v1/telegram and the support bundle; without a web server nothing shows
        # them, and the 3 KB stay free (keep_copies False: empty buffers, nothing copied).
        self.last_raw = bytearray(LAST_TELEGRAM_CAP if keep_copies else 0)  # last valid telegram, "/" .. "!"
        self.last_len = 0
        self.last_crc = None  # CRC digits as sent, or None for a CRC-less meter
        self.last_bad = bytearray(LAST_BAD_CAP if keep_copies else 0)
        self.last_bad_len = 0  # bytes kept (the telegram may have been longer)
        self.last_bad_full_len = 0
        self.last_bad_verdict = None
        self.last_bad_crc = 0

    def _ascii_decoder(self):
        from hanport.core.p1.decoder import Decoder
        from hanport.core.p1.framer import DEFAULT_CAP

        cap = DEFAULT_CAP if self.decoder_cap is None else self.decoder_cap
        decoder = Decoder(self._on_telegram, cap, reading=self.reading, crc=self.crc)
        decoder.framer.meter_sends_crc = self.crc_seen
        from hanport.unload import forget

        forget(("hanport.core.p1.profiles",))  # its tables are in the parser's index now
        return decoder

    def _binary_decoder(self):
        from hanport.core.binary.bindecoder import HdlcDecoder

        cipher = None
        if self.key:
            from hanport.aes import glo_cipher, parse_key

            # Without copies to show (no web server) the frame may be decrypted where it lies.
            cipher = glo_cipher(parse_key(self.key), in_place=not self.keep_copies)
        return HdlcDecoder(self._on_frame, self.reading, self.kamstrup_wh, cipher)

    def _on_frame(self, reading, verdict):
        """A binary frame with valid checks (the decoders' callback)."""
        self._found(_HDLC)
        self.hub.encrypted = verdict == _DLMS_ENCRYPTED or verdict == _DLMS_WRONG_KEY
        framer = self.binary.framer
        if verdict == _DLMS_OK:
            if framer.length <= len(self.last_raw):
                copy_into(self.last_raw, 0, framer.buf, 0, framer.length)
                self.last_len = framer.length
            self.last_kind = _HDLC
            self.hub.telegram(reading)

    def _found(self, fmt):
        if self.search is None:
            self.quiet_ms = 0
        else:
            self.search.frame(fmt)

    def line_state(self):
        """What the line store keeps once the line is found: format, line, and whether the meter
        sends CRCs; None while searching."""
        if self.search is not None or self.line is None:
            return None  # still searching: svc/linesearch.py saves it once found
        baud, parity, flip = self.line
        state = {"format": _HDLC if self.decoder is None else _ASCII, "baud": baud, "parity": parity, "flip": flip}
        if self.crc_seen:
            state["crc"] = True
        return state

    def save_line(self):
        if self.line_store is None:
            return
        state = self.line_state()
        if state is not None:
            from hanport.core.jsonfmt import dumps

            try:
                self.line_store.save_text(dumps(state))
            except (OSError, ValueError):
                pass  # a full or failing flash: found again after the next boot

    def _on_telegram(self, reading, framer):
        if framer.crc_state == _CRC_OK and not self.crc_seen:
            self.crc_seen = True  # once per meter: kept with the line (a found line saves it now)
            if self.search is None:
                self.save_line()
        if reading is not None or framer.crc_state == _CRC_OK:
            self._found(_ASCII)
        if reading is not None:
            self.last_kind = _ASCII
            if framer.length <= len(self.last_raw):
                copy_into(self.last_raw, 0, framer.buf, 0, framer.length)
                self.last_len = framer.length
                self.last_crc = framer.crc_sent if framer.crc_state == _CRC_OK else None
            self.hub.telegram(reading)
        else:
            n = framer.length if framer.length <= len(self.last_bad) else len(self.last_bad)
            copy_into(self.last_bad, 0, framer.buf, 0, n)
            self.last_bad_len = n
            self.last_bad_full_len = framer.length
            self.last_bad_verdict = "crc_error" if framer.crc_state == _CRC_BAD else "unparsable"
            self.last_bad_crc = framer.crc_sent

    def support_telegrams(self):
        """The last valid and the last rejected telegram with their verdicts (allocates)."""
        out = []
        raw = self.last_telegram_text()
        if self.last_kind == _HDLC:
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
        if not self.last_len or self.last_kind != _ASCII:
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
        search = self.search
        if self.decoder is None and search is not None and search.ascii_wanted:
            start = search.ascii_start(self.rx, n)
            if start >= 0:  # an ASCII telegram begins: now its decoder (svc/linesearch.py)
                self.decoder = self._ascii_decoder()
                self.decoder.feed(self.rx, start, n)
        elif self.decoder is not None:
            self.decoder.feed(self.rx, 0, n)
        elif self.binary is None and search is None:  # a binary meter was just found
            self.binary = self._binary_decoder()
        if self.binary is not None:
            self.binary.feed(self.rx, 0, n)
        elif self.search is not None and self.search.sniffer is not None:
            self.search.sniff(self.rx, n)  # (self.search: the decoder above may have settled it)
        return n

    def elapsed(self, ms, got_bytes):
        """The search's clock (it switches the line when nothing decodes). Once found: only
        bytes nobody can decode for long (the grid operator switched the port's format, or the
        adapter changed) start a new search, from the line found."""
        if self.search is not None:
            self.search.elapsed(ms, got_bytes)
            return
        self.quiet_ms += ms
        if not got_bytes:
            self.silent_ms += ms
            if self.silent_ms >= NO_DATA_MS:  # the port went quiet: count anew when bytes return
                self.quiet_ms = 0
            return
        self.silent_ms = 0
        if self.quiet_ms >= LOST_MS:
            from hanport.svc.linesearch import Search

            baud, parity, flip = self.line
            self.search = Search(self, {"baud": baud, "parity": parity, "flip": flip})
            if self.log is not None:
                self.log("meter: nothing decodes any more, searching again")

    def describe(self):
        return self.found if self.search is None else self.search.describe()

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
