# Network port: TCP client sockets with a bounded timeout on every blocking call, TLS through a
# context from hanport/tls.py (loaded only when TLS is used), DNS resolved on every connect. Given
# to umqtt.simple as its `socket` module and used by the HTTP push, on every runtime alike.
# Imports socket and sys only.
import socket
import sys

_MICROPYTHON = sys.implementation.name == "micropython"


class NetPort:
    """Stands in for the socket module: socket() and getaddrinfo(). One per destination, so
    the TLS server name is known when the connection is made."""

    def __init__(self, timeout_s=5, tls_context=None, server_hostname=None):
        self.timeout_s = timeout_s
        self.tls_context = tls_context
        self.server_hostname = server_hostname
        self.dns_lookups = 0

    def getaddrinfo(self, host, port, *args):
        self.dns_lookups += 1
        return socket.getaddrinfo(host, port, *args)

    def socket(self, *args):
        return ClientSocket(self)


class ClientSocket:
    """The stream API umqtt.simple uses (read(n), write(buf, n), setblocking, close), where
    setblocking(True) restores the port's timeout instead of blocking forever."""

    def __init__(self, port):
        self._port = port
        self._raw = socket.socket()
        self._raw.settimeout(port.timeout_s)
        self._io = self._raw

    def connect(self, addr):
        self._raw.connect(addr)
        ctx = self._port.tls_context
        if ctx is not None:
            self._io = ctx.wrap_socket(self._raw, server_hostname=self._port.server_hostname)
            if not _MICROPYTHON:
                self._raw = self._io  # CPython detaches the plain socket it wrapped

    def setblocking(self, flag):
        if flag:
            if self._io is not self._raw:
                self._io.setblocking(True)
            self._raw.settimeout(self._port.timeout_s)
        else:
            self._io.setblocking(False)

    def settimeout(self, seconds):
        """None ("block forever") becomes the port's own bound: umqtt.simple >= 1.5.0 calls
        settimeout(None) in connect(), and a broker that accepts TCP and never answers would
        then stall the event loop until the ESP32's watchdog resets the board."""
        self._raw.settimeout(self._port.timeout_s if seconds is None else seconds)

    def write(self, data, n=None):
        if n is not None and n < len(data):
            data = memoryview(data)[:n]
        if _MICROPYTHON:
            return self._io.write(data)
        self._io.sendall(data)
        return len(data)

    def read(self, n):
        """Exactly n bytes (fewer only at end of stream); None when non-blocking and idle."""
        try:
            if _MICROPYTHON:
                return self._io.read(n)
            chunks = []
            got = 0
            while got < n:
                part = self._io.recv(n - got)
                if not part:
                    break
                chunks.append(part)
                got += len(part)
            return b"".join(chunks)
        except OSError as e:
            if _would_block(e):
                return None
            raise

    def close(self):
        try:
            self._io.close()
        finally:
            if self._io is not self._raw:
                self._raw.close()


def _would_block(e):
    # EAGAIN (11) / EWOULDBLOCK; CPython also raises ssl.SSLWantReadError (an OSError)
    return (e.args and e.args[0] in (11, 35)) or type(e).__name__ in ("BlockingIOError", "SSLWantReadError")
