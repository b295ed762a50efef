# The DNS-SD responder on multicast DNS (UDP 5353, group 224.0.0.251): announces the dongle at
# start and after each new address, answers queries (core/lan/mdnsanswer.py), says goodbye
# (TTL 0) before a restart. A non-blocking socket polled from the event loop, like svc/dns.py.
# Imports socket and the clock compat only.
import socket

from hanport.core.lan.mdnsanswer import MAX_PACKET, MAX_QUERY, MdnsAnswers
from hanport.ticks import sleep_ms, ticks_diff, ticks_ms

GROUP = "224.0.0.251"
_PER_POLL = 8  # packets read per poll at most: a flood cannot starve the meter task
_POLL_MS = 50
_RECENT_MS = 1000  # a record is multicast at most once a second (RFC 6762 §6)


def _ip4(text):
    return bytes(int(part) for part in text.split("."))


class MdnsService:
    def __init__(self, host, web_port, txt_hw, device_ip, port=5353, log=None):
        self.answers = MdnsAnswers(host, web_port, txt_hw)
        self.device_ip = device_ip  # () -> the dongle's IPv4 address as text, or None (offline)
        self.port = port
        self.log = log
        self.host = host
        self.out = bytearray(MAX_PACKET)
        self.sent_ms = [None] * len(self.answers.records)  # when each record was last multicast
        self.sock = None
        self.group = None
        self.ip = None
        self.queries = 0
        self.answered = 0
        self.malformed = 0
        self.announced = 0

    def status(self):
        return {
            "host": self.host + ".local",
            "queries": self.queries,
            "answered": self.answered,
            "malformed": self.malformed,
            "announced": self.announced,
        }

    def _open(self, ip):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(socket.getaddrinfo("0.0.0.0", self.port)[0][-1])
        # struct ip_mreq: the group, then the interface's address (Linux and lwIP alike);
        # IPPROTO_IP is 0 on both, and MicroPython's socket module does not name it.
        sock.setsockopt(getattr(socket, "IPPROTO_IP", 0), socket.IP_ADD_MEMBERSHIP, _ip4(GROUP) + _ip4(ip))
        sock.setblocking(False)
        self.sock = sock
        self.group = socket.getaddrinfo(GROUP, self.port)[0][-1]

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _send(self, n, addr):
        try:
            self.sock.sendto(memoryview(self.out)[:n], addr)
            return True
        except OSError:
            return False

    def announce(self, ttl=-1):
        n = self.answers.announce(self.out, ttl)
        if n and self._send(n, self.group):
            self.announced += 1
            now = ticks_ms()
            for i in range(len(self.sent_ms)):
                self.sent_ms[i] = now

    def goodbye(self):
        """Every record with TTL 0, so browsers forget the dongle at once (RFC 6762 §10.1)."""
        if self.sock is not None:
            self.announce(0)
            self.close()

    async def run(self):
        while True:
            ip = self.device_ip()
            if ip != self.ip:  # a new address (start, Wi-Fi back): join again and announce twice
                self.close()
                self.ip = ip
                if ip is not None:
                    try:
                        self._open(ip)
                    except OSError as e:
                        if self.log is not None:
                            self.log("mdns: cannot listen on %d: %s" % (self.port, e))
                        self.close()
                if self.sock is not None:
                    self.answers.set_ip(_ip4(ip))
                    self.announce()
                    await sleep_ms(1000)  # the second announcement one second later (§8.3)
                    self.announce()
                    if self.log is not None:
                        self.log("mdns: %s.local at %s" % (self.host, ip))
            if self.sock is not None:
                self._poll()
            await sleep_ms(_POLL_MS)

    def _poll(self):
        for _ in range(_PER_POLL):
            try:
                data, addr = self.sock.recvfrom(MAX_QUERY + 1)  # one byte more: oversize is seen
            except OSError:
                return
            self.queries += 1
            self._answer(data, addr)

    def _answer(self, data, addr):
        answers = self.answers
        mask = answers.want(data, len(data))
        if mask <= 0:
            if mask < 0:
                self.malformed += 1
            return
        # The source port: a tuple on the ESP32, a sockaddr_in (family, port, address) on the unix port.
        port = addr[1] if isinstance(addr, tuple) else addr[2] << 8 | addr[3]
        if port != self.port:  # a one-shot resolver (RFC 6762 §6.7): unicast, its ID
            n = answers.write(mask, answers.extra, self.out, -1, data)
            if n and self._send(n, addr):
                self.answered += 1
            return
        if answers.unicast:  # QU questions: the reply goes to the asker only
            n = answers.write(mask, answers.extra, self.out)
            if n and self._send(n, addr):
                self.answered += 1
            return
        now = ticks_ms()
        sent = self.sent_ms
        for i in range(len(sent)):  # multicast: not what went out within the last second
            if sent[i] is not None and ticks_diff(now, sent[i]) < _RECENT_MS:
                mask &= ~(1 << i)
        n = answers.write(mask, answers.extra, self.out) if mask else 0
        if n and self._send(n, self.group):
            self.answered += 1
            for i in range(len(sent)):
                if (mask | answers.extra) & (1 << i):
                    sent[i] = now
