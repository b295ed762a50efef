# Which format and serial line a meter uses, found from the byte stream: ASCII telegrams or
# binary HDLC frames, and, while nothing decodes, the next line setting in turn (inversion,
# 115200 8N1 / 2400 8E1 / 2400 8N1). Settles after 2 good frames. Time comes in as ms deltas.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const

ASCII = "ascii"
HDLC = "hdlc"
# (baud, parity, flip): flip = 1 inverts the board's RX inversion setting. Swedish ASCII meters
# use 115200 8N1 (branschrekommendation v2); Swedish v1.2 Aidon/Kaifa HDLC too; Norwegian and
# Danish M-Bus HAN ports 2400 8E1; Swedish Kamstrup HDLC 2400 8N1 (corpus se_kamstrup_3/4:
# captured at 8E1, corrupt).
LINES = (
    (115200, "N", 0),
    (115200, "N", 1),
    (2400, "E", 0),
    (2400, "E", 1),
    (2400, "N", 0),
    (2400, "N", 1),
)
SETTLE_FRAMES = const(2)
WINDOW_MS = const(25000)  # per line: meters send every 1-10 s, so room for 2 frames


def line_name(line):
    baud, parity, flip = line
    return "%d 8%s1%s" % (baud, parity, " inverted" if flip else "")


class LineSearch:
    """frame(fmt) for every frame with valid checks, elapsed(ms, got_bytes) from the meter
    loop; `switch` is set when the shell must reconfigure the UART to line()."""

    def __init__(self, stored=None, window_ms=WINDOW_MS):
        self.index = 0
        self.format = None  # the settled format, or None while searching
        self.settled = False
        self.window_ms = window_ms
        self.candidate = None  # format of the good frames counted so far on this line
        self.good = 0
        self.quiet_ms = 0  # ms on this line (or since the last frame) without a good frame
        self.switch = False
        if stored is not None:
            self.restore(stored)

    def line(self):
        return LINES[self.index]

    def frame(self, fmt):
        """A frame with valid checks arrived; True when this one settles the search."""
        self.quiet_ms = 0
        if self.settled:
            return False
        if fmt != self.candidate:
            self.candidate = fmt
            self.good = 0
        self.good += 1
        if self.good >= SETTLE_FRAMES:
            self.settled = True
            self.format = fmt
            return True
        return False

    def elapsed(self, ms, got_bytes):
        """Advance the clock by ms; got_bytes: whether any byte arrived in that time."""
        if self.settled:
            return  # the meter service watches a found line (svc/meter.py, LOST_MS)
        self.quiet_ms += ms
        if self.quiet_ms >= self.window_ms:
            self.index = (self.index + 1) % len(LINES)
            self.quiet_ms = 0
            self.candidate = None
            self.good = 0
            self.switch = True

    def state(self):
        baud, parity, flip = LINES[self.index]
        return {"format": self.format, "baud": baud, "parity": parity, "flip": flip}

    def restore(self, stored):
        """Start on the stored line (not settled: 2 frames confirm it). Bad data is ignored."""
        if not isinstance(stored, dict):
            return
        for k in range(len(LINES)):
            baud, parity, flip = LINES[k]
            if stored.get("baud") == baud and stored.get("parity") == parity and stored.get("flip") == flip:
                self.index = k
                if stored.get("format") in (ASCII, HDLC):
                    self.candidate = stored["format"]

    def describe(self):
        name = line_name(LINES[self.index])
        if self.settled:
            return "%s, %s" % ("HDLC/DLMS" if self.format == HDLC else "ASCII", name)
        return "searching: trying %s (%d of %d)" % (name, self.index + 1, len(LINES))
