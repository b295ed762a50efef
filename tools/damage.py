# The damage campaign's core (issue 13), the same on CPython and MicroPython: streams made of
# genuine telegrams or HDLC frames with random damage, fed in random chunks to a restarted
# (cold) or primed (warm) decoder; every delivery is checked against the genuine bytes.
# Run by tools/fuzz.py; on MicroPython: micropython tools/damage.py SOURCES N SEED (prints JSON).
import sys

_here = __file__.rpartition("/")[0] or "."
sys.path.insert(0, _here)
sys.path.insert(0, _here + "/../firmware")

from hanport.core.binary.bindecoder import HdlcDecoder  # noqa: E402
from hanport.core.p1.decoder import Decoder  # noqa: E402
from hanport.core.p1.framer import CRC_OK  # noqa: E402
from telegen import Rng  # noqa: E402

# Damages: (name, weight). Point damages are applied 1-8 times to one telegram.
POINT = ("flip", "replace", "delete", "insert")
SCENARIOS = ("points", "truncated", "duplicated", "interleaved", "noise")
EXAMPLES = 3  # kept per kind of failure, to print


class Campaign:
    def __init__(self, ascii_sources, binary_sources, seed):
        self.rng = Rng(seed)
        self.ascii = ascii_sources  # whole telegrams as sent ("/" .. CRC CR LF), CRC valid
        self.binary = binary_sources  # whole HDLC frames with flags, FCS/HCS valid
        self.counts = {}
        self.examples = []
        self.decoder = Decoder(self._on_telegram)
        self.hdlc = HdlcDecoder(self._on_frame)
        self.genuine = ()

    def count(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n

    # --- damage ---------------------------------------------------------------------------
    def _point(self, data):
        rng = self.rng
        kind = POINT[rng.below(len(POINT))]
        i = rng.below(len(data)) if data else 0
        if kind == "flip" and data:
            data[i] ^= 1 << rng.below(8)
        elif kind == "replace" and data:
            data[i] = rng.below(256)
        elif kind == "delete" and data:
            data = data[:i] + data[i + 1 :]
        else:
            data = data[:i] + bytes((rng.below(256),)) + data[i:]
        return data

    def _noise(self):
        rng = self.rng
        out = bytearray(rng.below(40))
        for i in range(len(out)):  # line noise, with the bytes that matter more often
            out[i] = (0x2F, 0x21, 0x0D, 0x0A, 0x7E)[rng.below(5)] if rng.below(4) == 0 else rng.below(256)
        return out

    def stream(self, sources):
        """(stream bytes, scenario) from one or two genuine messages."""
        rng = self.rng
        one = sources[rng.below(len(sources))]
        scenario = SCENARIOS[rng.below(len(SCENARIOS))]
        self.genuine = (one,)
        damaged = bytearray(one)
        for _ in range(1 + rng.below(8)):
            damaged = self._point(damaged)
        if scenario == "points":
            return damaged, scenario
        if scenario == "truncated":
            return damaged[: rng.below(len(damaged))], scenario
        if scenario == "duplicated":
            return (bytearray(one) + damaged) if rng.below(2) else (damaged + one), scenario
        two = sources[rng.below(len(sources))]
        self.genuine = (one, two)
        if scenario == "interleaved":  # a second message inside the first, one of them damaged
            at = rng.below(len(one))
            if rng.below(2):
                return bytearray(one[:at]) + damaged + one[at:], scenario
            return damaged[:at] + bytearray(two) + damaged[at:], scenario
        return self._noise() + damaged + self._noise() + two + self._noise(), scenario

    # --- decoding -------------------------------------------------------------------------
    def _feed(self, decoder, data):
        rng = self.rng
        framer = decoder.framer
        i = 0
        while i < len(data):
            n = 1 + rng.below(300) if rng.below(8) else 1 + rng.below(4)
            decoder.feed(data, i, min(len(data), i + n))
            i += n
            if framer.length > framer.cap:
                self.count("over_cap")

    def _bad(self, kind, body):
        self.count(kind)
        if len([e for e in self.examples if e[0] == kind]) < EXAMPLES:
            self.examples.append((kind, bytes(body)))

    def _on_telegram(self, reading, framer):
        self.count("ascii_callbacks")
        if reading is None:
            return
        body = bytes(framer.buf[: framer.length])
        for genuine in self.genuine:
            if body == genuine[: genuine.rfind(b"!") + 1]:  # "/" .. "!" as the meter sent it
                self.count("ascii_genuine")
                return
        if framer.crc_state == CRC_OK:
            self.count("ascii_crc_collision")  # the only allowed source: ~1 in 65,536
        else:
            self._bad("ascii_unverified_damaged", body)

    def _on_frame(self, reading, verdict):
        framer = self.hdlc.framer
        body = bytes(framer.buf[: framer.length])
        self.count("hdlc_frames")
        for genuine in self.genuine:
            if genuine.find(body) >= 0:
                return
        self.count("hdlc_fcs_collision")  # delivered only with FCS (and HCS) valid

    def run_one(self, binary, warm):
        sources = self.binary if binary else self.ascii
        decoder = self.hdlc if binary else self.decoder
        data, scenario = self.stream(sources)
        if binary:
            decoder.framer.release()
        else:
            decoder.restart()
        before = self._totals(decoder, binary)
        if warm:
            self._feed(decoder, self.genuine[0])
        self._feed(decoder, data)
        if not binary:
            decoder.flush()
        self._check_counters(decoder, binary, before)
        self.count(("binary" if binary else "ascii") + (" warm" if warm else " cold"))

    def _totals(self, decoder, binary):
        """(frames the framer checked, callbacks so far)."""
        f = decoder.framer
        if binary:  # a segmented push is one callback for several valid frames
            return f.ok, self.counts.get("hdlc_frames", 0)
        return f.ok + f.crc_error + f.no_crc, self.counts.get("ascii_callbacks", 0)

    def _check_counters(self, decoder, binary, before):
        framed, calls = self._totals(decoder, binary)
        framed, calls = framed - before[0], calls - before[1]
        # ASCII: every framed telegram is called back, good or bad; HDLC: only valid frames are.
        if (calls > framed) if binary else (calls != framed):
            self.count("counter_mismatch")

    def run(self, n):
        for k in range(n):
            binary = bool(self.binary) and k % 4 == 3  # a quarter binary frames
            try:
                self.run_one(binary, (k >> 2) & 1 == 1)  # half of each cold, half warm
            except Exception as e:  # noqa: BLE001 - the campaign's point: count and show it
                self._bad("exception", repr(e).encode())
        return self.result()

    def result(self):
        s = self.decoder.stats()
        h = self.hdlc.framer.stats()
        out = dict(self.counts)
        out["ascii_rejected_crc"] = s["crc_error"]
        out["ascii_unverified_dropped"] = s["unverified"]
        out["ascii_overflow"] = s["overflow"]
        out["hdlc_fcs_error"] = h["fcs_error"]
        out["hdlc_hcs_error"] = h["hcs_error"]
        out["examples"] = [(kind, body[:200].decode("latin-1")) for kind, body in self.examples]
        return out


def read_sources(path):
    """Records written by tools/fuzz.py: kind byte (A/B), 2-byte length, bytes."""
    ascii_sources, binary_sources = [], []
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i < len(data):
        n = (data[i + 1] << 8) | data[i + 2]
        (ascii_sources if data[i] == 0x41 else binary_sources).append(bytes(data[i + 3 : i + 3 + n]))
        i += 3 + n
    return ascii_sources, binary_sources


def main(argv):
    import json

    ascii_sources, binary_sources = read_sources(argv[1])
    campaign = Campaign(ascii_sources, binary_sources, int(argv[3]))
    print(json.dumps(campaign.run(int(argv[2]))))


if __name__ == "__main__":
    main(sys.argv)
