# The DNS-SD responder's answers (core/lan/mdnsanswer.py) read back by dnspython: what a query
# gets, known-answer suppression, unicast and legacy replies, the goodbye, and malformed input.
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from hypothesis import given, settings
from hypothesis import strategies as st

from hanport.core.lan.mdnsanswer import MAX_PACKET, MdnsAnswers

TXT = (
    ("api_enabled", "1"),
    ("path", "/api/v1"),
    ("serial", "a4cf12ab34cd"),
    ("product_name", "hanport P1 meter"),
    ("product_type", "HWE-P1"),
)
HW = "_hwenergy._tcp.local."
INSTANCE = "hanport-ab34cd._hwenergy._tcp.local."


def rdata(rrset):
    """The record's data as class IN (dnspython leaves a cache-flush record's data generic)."""
    item = rrset[0]
    if hasattr(item, "data"):
        return dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, item.data, 0, len(item.data))
    return item


def answers():
    a = MdnsAnswers("hanport-ab34cd", 80, TXT)
    a.set_ip(bytes((192, 168, 1, 57)))
    return a


def ask(a, query, legacy=False):
    wire = query.to_wire()
    mask = a.want(wire, len(wire))
    if mask <= 0:
        return mask, None
    out = bytearray(MAX_PACKET)
    n = a.write(mask, a.extra, out, -1, wire if legacy else None)
    return mask, dns.message.from_wire(bytes(out[:n]))


def query(name, rdtype, unicast=False):
    q = dns.message.make_query(name, rdtype)
    q.id = 0
    if unicast:  # the QU bit: the top bit of the question's class
        q.question[0] = dns.rrset.RRset(dns.name.from_text(name), 0x8001, dns.rdatatype.from_text(rdtype))
    return q


def test_a_browse_gets_the_instance_with_its_srv_txt_and_address():
    a = answers()
    _, reply = ask(a, query(HW, "PTR"))
    assert reply.id == 0 and reply.flags & 0x8400 == 0x8400  # a multicast response: ID 0, QR and AA
    (ptr,) = reply.answer
    assert ptr.rdtype == dns.rdatatype.PTR and ptr.ttl == 4500 and str(ptr[0].target) == INSTANCE
    extra = {r.rdtype: r for r in reply.additional}
    srv = extra[dns.rdatatype.SRV]
    assert rdata(srv).port == 80 and str(rdata(srv).target) == "hanport-ab34cd.local." and srv.ttl == 120
    txt = dict(s.decode().split("=", 1) for s in rdata(extra[dns.rdatatype.TXT]).strings)
    assert txt == dict(TXT)  # every key Home Assistant's zeroconf flow requires, path /api/v1
    assert rdata(extra[dns.rdatatype.A]).address == "192.168.1.57"
    assert extra[dns.rdatatype.A].rdclass == 0x8001  # cache-flush: this host alone owns it


def test_host_name_service_enumeration_and_other_names():
    a = answers()
    _, reply = ask(a, query("HANPORT-AB34CD.local.", "A"))  # names compare without case
    assert rdata(reply.answer[0]).address == "192.168.1.57" and not reply.additional
    _, reply = ask(a, query("_services._dns-sd._udp.local.", "PTR"))
    assert sorted(str(r.target) for r in reply.answer[0]) == ["_http._tcp.local.", HW]
    assert ask(a, query("other.local.", "A")) == (0, None)
    assert ask(a, query("hanport-ab34cd.local.", "AAAA")) == (0, None)  # no IPv6: no answer
    _, reply = ask(a, query(INSTANCE, "ANY"))
    assert {r.rdtype for r in reply.answer} == {dns.rdatatype.SRV, dns.rdatatype.TXT}


def test_known_answers_are_not_repeated():
    a = answers()
    q = query(HW, "PTR")
    target = dns.name.from_text(INSTANCE)
    q.answer.append(dns.rrset.from_text(HW, 4500, "IN", "PTR", INSTANCE))
    assert ask(a, q) == (0, None)  # the asker has it with more than half its TTL left
    q.answer[0] = dns.rrset.from_text(HW, 1000, "IN", "PTR", str(target))
    mask, reply = ask(a, q)  # less than half the TTL left: answered again (RFC 6762 7.1)
    assert mask and str(reply.answer[0][0].target) == INSTANCE


def test_unicast_and_legacy_questions():
    a = answers()
    wire = query(HW, "PTR", unicast=True).to_wire()
    assert a.want(wire, len(wire)) and a.unicast
    q = dns.message.make_query("hanport-ab34cd.local.", "A")  # a one-shot resolver (port != 5353)
    _, reply = ask(a, q, legacy=True)
    assert reply.id == q.id and reply.question == q.question  # its ID and question echoed (6.7)
    assert reply.answer[0].ttl == 10 and reply.answer[0].rdclass == dns.rdataclass.IN  # no flush bit


def test_the_goodbye_sends_every_record_with_ttl_zero():
    a = answers()
    out = bytearray(MAX_PACKET)
    reply = dns.message.from_wire(bytes(out[: a.announce(out, 0)]))
    assert len(reply.answer) == 8 and all(r.ttl == 0 for r in reply.answer)  # 9 records: 2 PTR share a name
    announce = dns.message.from_wire(bytes(out[: a.announce(out)]))
    assert {r.ttl for r in announce.answer} == {120, 4500}


def test_malformed_queries_are_refused_and_responses_ignored():
    a = answers()
    wire = query(HW, "PTR").to_wire()
    assert a.want(wire[:20], 20) == -1  # cut inside the name
    loop = bytearray(wire[:12]) + b"\xc0\x0c\x00\x0c\x00\x01"  # a pointer to itself
    loop[5] = 1
    assert a.want(loop, len(loop)) == -1
    many = bytearray(wire)
    many[5] = 200  # 200 questions: more than any browser sends
    assert a.want(many, len(many)) == -1
    response = bytearray(wire)
    response[2] |= 0x80
    assert a.want(response, len(response)) == 0
    assert a.want(b"\0" * 1600, 1600) == -1  # larger than one frame


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=700), st.integers(min_value=0, max_value=60))
def test_no_input_raises_or_overflows(noise, cut):
    a = answers()
    base = query(INSTANCE, "ANY").to_wire()
    for data in (noise, base[:cut] + noise, base + noise):
        mask = a.want(data, len(data))
        assert -1 <= mask <= 0x1FF
        if mask > 0:
            out = bytearray(MAX_PACKET)
            n = a.write(mask, a.extra, out)
            assert 0 < n <= MAX_PACKET
            dns.message.from_wire(bytes(out[:n]))  # what goes out always parses
