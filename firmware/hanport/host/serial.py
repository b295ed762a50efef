# Meter sources for the host: a tty or pty (raw, reads return what is waiting, line settings
# from the meter's format search) and a capture file replayed at line speed. Both offer
# readinto(buf) -> n that never blocks. Imports termios, select and the clock compat only.
import select

from hanport.ticks import ticks_diff, ticks_ms

_VTIME = 5  # termios c_cc indices on Linux
_VMIN = 6


def _raw_nonblocking(fd):
    """Raw mode, and VMIN=0/VTIME=0 so a read returns what is waiting (possibly nothing)
    instead of filling the whole buffer (MicroPython's readinto loops until full)."""
    import termios

    if hasattr(termios, "setraw"):  # MicroPython
        termios.setraw(fd)
    else:  # CPython
        import tty

        tty.setraw(fd)
    attr = termios.tcgetattr(fd)
    cc = attr[6]
    zero = 0 if isinstance(cc[_VMIN], int) else b"\x00"
    cc[_VMIN] = zero
    cc[_VTIME] = zero
    if hasattr(termios, "B115200"):
        attr[4] = attr[5] = termios.B115200  # a real USB-TTL adapter; a pty ignores it
    termios.tcsetattr(fd, termios.TCSANOW, attr)


class TtySource:
    """configure(baud, parity, flip) sets a real USB-TTL adapter's speed and parity (a pty
    ignores them). A host adapter cannot invert its RX line, so flip is simulated by
    complementing each byte: the virtual meter's --invert does the same, and the format search
    then has to find the flipped setting, as it must with a wrongly inverted line on the ESP32."""

    def __init__(self, path):
        self.path = path
        try:
            self.file = open(path, "rb", buffering=0)
        except TypeError:  # MicroPython's open() has no buffering argument (it is unbuffered)
            self.file = open(path, "rb")
        _raw_nonblocking(self.file.fileno())
        self.poller = select.poll()
        self.poller.register(self.file, select.POLLIN)
        self.flip = 0

    def configure(self, baud, parity, flip):
        import termios

        self.flip = flip
        attr = termios.tcgetattr(self.file.fileno())
        speed = getattr(termios, "B%d" % baud, None)
        if speed is not None:
            attr[4] = attr[5] = speed
        parenb = getattr(termios, "PARENB", 0o400)
        attr[2] = (attr[2] | parenb) if parity == "E" else (attr[2] & ~parenb)
        termios.tcsetattr(self.file.fileno(), termios.TCSANOW, attr)

    def readinto(self, buf):
        if not self.poller.poll(0):
            return 0
        n = self.file.readinto(buf) or 0
        if self.flip:
            for i in range(n):
                buf[i] ^= 0xFF
        return n


class ReplaySource:
    """A capture file fed at 115200 baud (11,520 bytes/s), or faster with speed > 1."""

    def __init__(self, path, speed=1, loop=False):
        with open(path, "rb") as f:
            self.data = f.read()
        self.rate = 11520 * speed
        self.loop = loop
        self.pos = 0
        self.t0 = ticks_ms()

    def readinto(self, buf):
        due = ticks_diff(ticks_ms(), self.t0) * self.rate // 1000
        if self.pos >= len(self.data):
            if not self.loop:
                return 0
            self.pos = 0
            self.t0 = ticks_ms()
            return 0
        n = min(len(buf), due - self.pos, len(self.data) - self.pos)
        if n <= 0:
            return 0
        buf[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n
