# make mem only: the `socket` module for the 32-bit VM (it has none), with in-process peers that
# only load the firmware: an MQTT broker that acknowledges, an HTTP push receiver answering 200,
# UDP datagrams for the captive DNS and mDNS. netport.ClientSocket runs on it unchanged. Never on a device.
import sys

AF_INET = 2
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOL_SOCKET = 1
SO_REUSEADDR = 4
IP_ADD_MEMBERSHIP = 35  # the mDNS responder joins 224.0.0.251
MQTT_PORT = 1883
PUSH_PORT = 8080

down = []  # ports refusing connections (a broker outage)
stats = {"mqtt_connects": 0, "mqtt_publishes": 0, "push_posts": 0, "refused": 0, "dns_answers": 0}
dns_queries = []  # datagrams waiting for the DNS server's recvfrom
open_peers = []


class Peer:
    """The far end of one connection: feed() takes what the firmware wrote, out holds the answer."""

    def __init__(self):
        self.inbox = bytearray()
        self.out = bytearray()
        self.closed = False


class MqttPeer(Peer):
    def feed(self, data):
        self.inbox.extend(data)
        while True:
            # fixed header: type/flags byte, remaining length as a base-128 varint
            if len(self.inbox) < 2:
                return
            size = 0
            shift = 0
            i = 1
            while True:
                if i >= len(self.inbox):
                    return
                b = self.inbox[i]
                size |= (b & 0x7F) << shift
                shift += 7
                i += 1
                if not b & 0x80:
                    break
            if len(self.inbox) < i + size:
                return
            first = self.inbox[0]
            kind = first >> 4
            body = self.inbox[i : i + size]
            self.inbox = self.inbox[i + size :]
            if kind == 1:  # CONNECT -> CONNACK accepted
                stats["mqtt_connects"] += 1
                self.out.extend(b"\x20\x02\x00\x00")
            elif kind == 3:  # PUBLISH; QoS 1 gets a PUBACK with its packet id
                stats["mqtt_publishes"] += 1
                if (first >> 1) & 3 == 1:  # topic (2-byte length + bytes), then the packet id
                    at = 2 + (body[0] << 8 | body[1])
                    self.out.extend(b"\x40\x02" + bytes(body[at : at + 2]))
            elif kind == 8:  # SUBSCRIBE -> SUBACK granting QoS 0
                self.out.extend(b"\x90\x03" + bytes(body[0:2]) + b"\x00")
            elif kind == 12:  # PINGREQ -> PINGRESP
                self.out.extend(b"\xd0\x00")
            elif kind == 14:  # DISCONNECT
                self.closed = True


class PushPeer(Peer):
    """HTTP/1.0 receiver: answers 200 once the head and Content-Length body are in."""

    def feed(self, data):
        self.inbox.extend(data)
        end = self.inbox.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.inbox[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 :].split(b"\r\n")[0]) if at >= 0 else 0
        if len(self.inbox) >= end + 4 + length:
            stats["push_posts"] += 1
            self.out.extend(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
            self.closed = True
            self.inbox = bytearray()


PEERS = {MQTT_PORT: MqttPeer, PUSH_PORT: PushPeer}


def getaddrinfo(host, port, *args):
    return [(AF_INET, SOCK_STREAM, 0, "", (host, port))]


class socket:
    """MicroPython's socket as netport and the DNS server use it."""

    def __init__(self, family=AF_INET, kind=SOCK_STREAM, proto=0):
        self.peer = None
        self.blocking = True

    def settimeout(self, seconds):
        self.blocking = seconds is None or seconds > 0

    def setblocking(self, flag):
        self.blocking = flag

    def setsockopt(self, *args):
        pass

    def connect(self, addr):
        port = addr[1]
        if port in down or port not in PEERS:
            stats["refused"] += 1
            raise OSError(111)  # ECONNREFUSED
        self.peer = PEERS[port]()
        open_peers.append(self.peer)

    def write(self, data):
        if self.peer is None or self.peer.closed:
            raise OSError(104)  # ECONNRESET
        self.peer.feed(bytes(data))
        return len(data)

    def read(self, n):
        peer = self.peer
        if peer is None:
            raise OSError(9)  # EBADF
        if not peer.out:
            if peer.closed:
                return b""
            if not self.blocking:
                return None
            raise OSError(110)  # ETIMEDOUT: the peer has nothing more to say
        chunk = bytes(peer.out[:n])
        peer.out = peer.out[n:]
        return chunk

    def close(self):
        if self.peer in open_peers:
            open_peers.remove(self.peer)
        self.peer = None

    # UDP (the setup portal's DNS, the mDNS responder)
    def bind(self, addr):
        pass

    def recvfrom(self, n):
        if not dns_queries:
            raise OSError(11)  # EAGAIN
        return dns_queries.pop(0)[:n], ("192.168.4.2", 5353)

    def sendto(self, data, addr):
        stats["dns_answers"] += 1
        return len(data)


def outage(port, on):
    """Broker down (connections refused, open ones reset) or back."""
    if on:
        down.append(port)
        for peer in open_peers:
            if isinstance(peer, PEERS[port]):
                peer.closed = True
                peer.out = bytearray()
    elif port in down:
        down.remove(port)


def install():
    sys.modules["socket"] = sys.modules["usocket"] = sys.modules[__name__]  # umqtt.simple imports usocket
