# Captive-portal DNS answers: every A query gets the access point's address, so a phone that
# joins the setup network opens the setup page. Builds the reply into a preallocated buffer;
# anything malformed or oversized is dropped (0). Pure core: no machine/network/socket/time.
from hanport.core.const import const

MAX_PACKET = const(512)  # classic DNS over UDP
_HEADER = const(12)
_TYPE_A = const(1)
_TYPE_ANY = const(255)
_CLASS_IN = const(1)
_TTL_S = const(60)


def answer(query, n, ip4, out):
    """Reply for query[:n] into out (>= 512 bytes); returns its length, or 0 to drop.
    ip4: 4 bytes. Answers only standard queries with exactly one question, no compression."""
    if n < _HEADER + 5 or n > MAX_PACKET or n > len(query) or len(out) < MAX_PACKET:
        return 0
    flags = query[2]
    if flags & 0x80 or flags & 0x78:  # a response, or an opcode other than QUERY
        return 0
    if query[4] != 0 or query[5] != 1 or query[6] or query[7] or query[8] or query[9]:
        return 0  # QDCOUNT must be 1; no answers or authority in a query
    # QNAME: labels of 1..63 bytes, total <= 255, ending in a zero byte; pointers refused.
    i = _HEADER
    total = 0
    while True:
        if i >= n:
            return 0
        length = query[i]
        if length == 0:
            i += 1
            break
        if length > 63:
            return 0
        total += length + 1
        if total > 255:
            return 0
        i += length + 1
    if i + 4 > n:
        return 0
    qtype = (query[i] << 8) | query[i + 1]
    qclass = (query[i + 2] << 8) | query[i + 3]
    end = i + 4  # end of the question; EDNS additional records after it are ignored
    for k in range(end):
        out[k] = query[k]
    out[2] = 0x80 | (flags & 0x01)  # QR, copy RD
    out[3] = 0x80  # RA, NOERROR
    out[8] = out[9] = out[10] = out[11] = 0
    if qclass != _CLASS_IN or not (qtype == _TYPE_A or qtype == _TYPE_ANY):
        out[6] = out[7] = 0  # no answer (e.g. AAAA): phones then use IPv4
        return end
    out[6] = 0
    out[7] = 1
    rr = (0xC0, 0x0C, 0, _TYPE_A, 0, _CLASS_IN, 0, 0, 0, _TTL_S, 0, 4)  # name -> question
    for k in range(12):
        out[end + k] = rr[k]
    for k in range(4):
        out[end + 12 + k] = ip4[k]
    return end + 16
