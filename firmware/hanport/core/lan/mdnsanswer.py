# DNS-SD over multicast DNS (RFC 6762, RFC 6763): the dongle's records (_hwenergy._tcp for
# HomeWizard clients, _http._tcp for the status page, the host's A record), which of them a
# query asks for (known answers suppressed), and replies/announcements written into a bounded
# buffer. Malformed queries give -1. Pure core: must not import machine, network, socket, time.
from hanport.core.const import const

MAX_PACKET = const(1024)  # replies and announcements: 9 records take ~420 bytes
MAX_QUERY = const(1500)  # one Ethernet frame; a larger query is dropped unread
_MAX_QUESTIONS = const(8)
_MAX_KNOWN = const(16)
_MAX_JUMPS = const(16)  # compression pointers followed per name (loops end here)
_PTR = const(12)
_TXT = const(16)
_SRV = const(33)
_A = const(1)
_ANY = const(255)
_FLUSH = const(0x8001)  # class IN with the cache-flush bit: records only this host owns (6762 §10.2)
_IN = const(1)
_HOST_TTL = const(120)  # A and SRV: 120 s, the rest 75 minutes (RFC 6762 §10)
_OTHER_TTL = const(4500)
_LEGACY_TTL = const(10)  # answers to a one-shot (legacy) resolver: at most 10 s (§6.7)
# Record numbers (bits of a mask): the two services' PTR, SRV and TXT, the A record, and the
# service-type enumeration (_services._dns-sd._udp, RFC 6763 §9).
_PTR_HW = const(0)
_PTR_HTTP = const(1)
_SRV_HW = const(2)
_SRV_HTTP = const(3)
_TXT_HW = const(4)
_TXT_HTTP = const(5)
_A_HOST = const(6)
_ENUM_HW = const(7)
_ENUM_HTTP = const(8)
ALL = const(0x1FF)
_NAME_CAP = const(256)


def wire_name(text):
    """'a.b.local' -> DNS wire labels (lower case), b'\\x01a\\x01b\\x05local\\x00'."""
    out = bytearray()
    for label in text.lower().split("."):
        out.append(len(label))
        out.extend(label.encode())
    out.append(0)
    return bytes(out)


def txt_data(pairs):
    """TXT rdata from ((key, value), ...): one length-prefixed "key=value" string each."""
    out = bytearray()
    for key, value in pairs:
        item = ("%s=%s" % (key, value)).encode()
        out.append(len(item))
        out.extend(item)
    return bytes(out)


class MdnsAnswers:
    """The records of one host; want() reads a query, write()/announce() fill a buffer."""

    def __init__(self, host, web_port, txt_hw, ip4=b"\0\0\0\0"):
        hw, http = wire_name("_hwenergy._tcp.local"), wire_name("_http._tcp.local")
        inst_hw = wire_name(host + "._hwenergy._tcp.local")
        inst_http = wire_name(host + "._http._tcp.local")
        self.host = wire_name(host + ".local")
        srv = bytes((0, 0, 0, 0, web_port >> 8, web_port & 0xFF)) + self.host  # priority, weight, port, target
        enum = wire_name("_services._dns-sd._udp.local")
        # (owner name, type, class, TTL, rdata) by record number
        self.records = [
            (hw, _PTR, _IN, _OTHER_TTL, inst_hw),
            (http, _PTR, _IN, _OTHER_TTL, inst_http),
            (inst_hw, _SRV, _FLUSH, _HOST_TTL, srv),
            (inst_http, _SRV, _FLUSH, _HOST_TTL, srv),
            (inst_hw, _TXT, _FLUSH, _OTHER_TTL, txt_data(txt_hw)),
            (inst_http, _TXT, _FLUSH, _OTHER_TTL, txt_data((("path", "/"),))),
            (self.host, _A, _FLUSH, _HOST_TTL, ip4),
            (enum, _PTR, _IN, _OTHER_TTL, hw),
            (enum, _PTR, _IN, _OTHER_TTL, http),
        ]
        self.name = bytearray(_NAME_CAP)  # a name read from a query, lower case
        self.extra = 0  # additional records for the last want() (RFC 6763 §12)
        self.unicast = False  # every question asked for a unicast reply (QU bit)
        self.query_id = 0
        self.question_end = 0  # end of the question section (echoed to legacy resolvers)
        self.questions = 0

    def set_ip(self, ip4):
        name, rrtype, rrclass, ttl, _ = self.records[_A_HOST]
        self.records[_A_HOST] = (name, rrtype, rrclass, ttl, bytes(ip4))

    def _read_name(self, pkt, n, pos):
        """Reads the name at pos into self.name; (length, position after it) or (-1, 0)."""
        out = self.name
        size = 0
        after = -1
        jumps = 0
        while pos < n:
            length = pkt[pos]
            if length >= 0xC0:  # compression pointer (RFC 1035 §4.1.4)
                if pos + 1 >= n or jumps >= _MAX_JUMPS:
                    return -1, 0
                if after < 0:
                    after = pos + 2
                pos = (length & 0x3F) << 8 | pkt[pos + 1]
                jumps += 1
                continue
            if length >= 0x40 or pos + 1 + length > n or size + length + 2 > _NAME_CAP:
                return -1, 0
            out[size] = length
            size += 1
            pos += 1
            if length == 0:
                return size, (after if after >= 0 else pos)
            for i in range(pos, pos + length):
                b = pkt[i]
                out[size] = b + 32 if 65 <= b <= 90 else b
                size += 1
            pos += length
        return -1, 0

    def _is(self, size, wire):
        if size != len(wire):
            return False
        name = self.name
        for i in range(size):
            if name[i] != wire[i]:
                return False
        return True

    def want(self, pkt, n):
        """Mask of the records a query asks for (0: none of ours; -1: malformed); self.extra,
        unicast, query_id and question_end describe it for write()."""
        if n < 12 or n > MAX_QUERY:
            return -1
        if pkt[2] & 0x80 or pkt[2] & 0x78:  # a response, or an opcode other than QUERY: not for us
            return 0
        questions = pkt[4] << 8 | pkt[5]
        known = pkt[6] << 8 | pkt[7]
        if questions > _MAX_QUESTIONS or known > _MAX_KNOWN:
            return -1
        self.query_id = pkt[0] << 8 | pkt[1]
        records = self.records
        pos = 12
        mask = 0
        unicast = questions > 0
        for _ in range(questions):
            size, pos = self._read_name(pkt, n, pos)
            if size < 0 or pos + 4 > n:
                return -1
            qtype = pkt[pos] << 8 | pkt[pos + 1]
            if not pkt[pos + 2] & 0x80:
                unicast = False
            pos += 4
            for number in range(len(records)):
                record = records[number]
                if (qtype == record[1] or qtype == _ANY) and self._is(size, record[0]):
                    mask |= 1 << number
        self.question_end = pos
        self.questions = questions
        self.unicast = unicast
        for _ in range(known):  # known-answer suppression (RFC 6762 §7.1)
            size, pos = self._read_name(pkt, n, pos)
            if size < 0 or pos + 10 > n:
                return -1
            rrtype = pkt[pos] << 8 | pkt[pos + 1]
            ttl = pkt[pos + 4] << 24 | pkt[pos + 5] << 16 | pkt[pos + 6] << 8 | pkt[pos + 7]
            rdlength = pkt[pos + 8] << 8 | pkt[pos + 9]
            start = pos + 10
            pos = start + rdlength
            if pos > n:
                return -1
            for number in range(len(records)):
                record = records[number]
                if mask & (1 << number) and rrtype == record[1] and ttl * 2 >= record[3] and self._is(size, record[0]):
                    if self._same_rdata(pkt, n, start, rdlength, record):
                        mask &= ~(1 << number)
        extra = 0
        if mask & (1 << _PTR_HW):
            extra |= 1 << _SRV_HW | 1 << _TXT_HW | 1 << _A_HOST
        if mask & (1 << _PTR_HTTP):
            extra |= 1 << _SRV_HTTP | 1 << _TXT_HTTP | 1 << _A_HOST
        if mask & (1 << _SRV_HW | 1 << _SRV_HTTP):
            extra |= 1 << _A_HOST
        self.extra = extra & ~mask
        return mask

    def _same_rdata(self, pkt, n, start, rdlength, record):
        rdata = record[4]
        if record[1] == _PTR:  # a name, possibly compressed
            size, _ = self._read_name(pkt, n, start)
            return size > 0 and self._is(size, rdata)
        if rdlength != len(rdata):
            return False
        for i in range(rdlength):
            if pkt[start + i] != rdata[i]:
                return False
        return True

    def write(self, mask, extra, out, ttl=-1, query=None):
        """A response with the records of mask (answers) and extra (additional) into out;
        its length (0 when nothing fits). ttl >= 0 replaces every TTL (0: goodbye). query: the
        packet of a legacy resolver (source port not 5353): its ID and questions are echoed."""
        size = 12
        echoed = 0
        if query is not None:
            end = self.question_end
            if end > len(out):
                return 0
            out[12:end] = query[12:end]  # the same offsets: its compression pointers stay valid
            size = end
            echoed = self.questions
        answers = 0
        additional = 0
        records = self.records
        for which in (0, 1):
            section = extra if which else mask
            for number in range(len(records)):
                if not section & (1 << number):
                    continue
                name, rrtype, rrclass, record_ttl, rdata = records[number]
                if query is not None:
                    rrclass, record_ttl = _IN, min(record_ttl, _LEGACY_TTL)  # no cache-flush bit (§6.7)
                if ttl >= 0:
                    record_ttl = ttl
                end = size + len(name) + 10 + len(rdata)
                if end > len(out):
                    break
                out[size : size + len(name)] = name
                p = size + len(name)
                out[p : p + 10] = bytes(
                    (
                        rrtype >> 8,
                        rrtype & 0xFF,
                        rrclass >> 8,
                        rrclass & 0xFF,
                        record_ttl >> 24 & 0xFF,
                        record_ttl >> 16 & 0xFF,
                        record_ttl >> 8 & 0xFF,
                        record_ttl & 0xFF,
                        len(rdata) >> 8,
                        len(rdata) & 0xFF,
                    )
                )
                out[p + 10 : end] = rdata
                size = end
                if which:
                    additional += 1
                else:
                    answers += 1
        if answers == 0:
            return 0
        query_id = self.query_id if query is not None else 0  # multicast replies carry ID 0 (§18.1)
        out[0:12] = bytes((query_id >> 8, query_id & 0xFF, 0x84, 0, 0, echoed, 0, answers, 0, 0, 0, additional))
        return size

    def announce(self, out, ttl=-1):
        """An unsolicited response with every record (RFC 6762 §8.3); ttl=0: the goodbye."""
        return self.write(ALL, 0, out, ttl)
