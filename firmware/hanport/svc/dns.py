# Captive-portal DNS server for setup mode: a non-blocking UDP socket polled from the event
# loop (MicroPython's asyncio has no datagram endpoints), answering via core/lan/dnsanswer.py.
# Imports socket and the clock compat only.
import socket

from hanport.core.lan.dnsanswer import MAX_PACKET, answer
from hanport.ticks import sleep_ms


class DnsServer:
    def __init__(self, ip, port=53, bind="0.0.0.0"):
        self.ip4 = bytes(int(part) for part in ip.split("."))
        self.port = port
        self.bind = bind
        self.out = bytearray(MAX_PACKET)
        self.answered = 0
        self.dropped = 0
        self.sock = None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    async def serve(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(socket.getaddrinfo(self.bind, self.port)[0][-1])
        sock.setblocking(False)
        self.sock = sock
        while True:
            try:
                data, addr = sock.recvfrom(MAX_PACKET + 1)  # one byte more: oversize is seen
            except OSError:
                await sleep_ms(20)
                continue
            n = answer(data, len(data), self.ip4, self.out)
            if n:
                try:
                    sock.sendto(memoryview(self.out)[:n], addr)
                    self.answered += 1
                except OSError:
                    self.dropped += 1
            else:
                self.dropped += 1
