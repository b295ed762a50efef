# HTTP push: POSTs the latest reading as JSON to http.url every http.interval_s (0: every
# telegram), with an optional bearer token, TLS, timeouts and backoff; also delivers hourly
# snapshots. A tiny HTTP/1.0 client over the network port. Imports ticks + core only.
from hanport.core.backoff import Backoff
from hanport.core.jsonfmt import dumps
from hanport.core.payload import state_json
from hanport.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms

_MAX_RESPONSE_LINE = 256


def split_url(url):
    """'https://host:8443/path' -> (tls, host, port, path). Raises ValueError."""
    if url.startswith("http://"):
        tls, rest, port = False, url[7:], 80
    elif url.startswith("https://"):
        tls, rest, port = True, url[8:], 443
    else:
        raise ValueError("URL must start with http:// or https://")
    slash = rest.find("/")
    hostport, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    if ":" in hostport:
        host, p = hostport.rsplit(":", 1)
        port = int(p)
    else:
        host = hostport
    if not host:
        raise ValueError("URL has no host")
    return tls, host, port, path


class HttpPush:
    def __init__(self, cfg, hub, make_port, rand_below, hourly=None, log=None):
        self.tls, self.host, self.port, self.path = split_url(cfg["http.url"])
        self.token = cfg["http.token"]
        self.interval_ms = cfg["http.interval_s"] * 1000
        self.hub = hub
        self.make_port = make_port  # (tls, host) -> NetPort
        self.hourly = hourly
        self.log = log or (lambda text: None)
        self.backoff = Backoff(rand_below)
        self.next_ms = ticks_ms()
        self.sent_seq = 0
        self.counters = {"ok": 0, "failures": 0}
        self.last_error = ""

    def post(self, body):
        port = self.make_port(self.tls, self.host)
        addr = port.getaddrinfo(self.host, self.port)[0][-1]
        sock = port.socket()
        try:
            sock.connect(addr)
            head = "POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
                self.path,
                self.host,
                len(body),
            )
            if self.token:
                head += "Authorization: Bearer %s\r\n" % self.token
            sock.write((head + "\r\n").encode())
            sock.write(body)
            line = b""
            while not line.endswith(b"\n") and len(line) < _MAX_RESPONSE_LINE:
                ch = sock.read(1)
                if not ch:
                    break
                line += ch
        finally:
            sock.close()
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            raise OSError("no HTTP status line")
        status = int(parts[1])
        if not 200 <= status < 300:
            raise OSError("HTTP status %d" % status)

    def step(self):
        now = ticks_ms()
        if ticks_diff(now, self.next_ms) < 0:
            return 50
        hub = self.hub
        try:
            if self.hourly is not None:
                for snap in self.hourly.pending("http"):
                    self.post(dumps({"hourly": snap}).encode())
                    self.hourly.ack("http", snap)
            if hub.seq != self.sent_seq and hub.reading_dict is not None:
                age_ms = hub.telegram_age_ms()
                if age_ms is not None and age_ms <= 60000:  # never push a stale reading as fresh
                    self.post(state_json(hub.reading_dict, age_ms // 1000).encode())
                    self.counters["ok"] += 1
                self.sent_seq = hub.seq
            if self.last_error:
                self.log("http: delivering again to %s" % self.host)
            self.backoff.reset()
            self.last_error = ""
            self.next_ms = ticks_add(now, self.interval_ms) if self.interval_ms else now
        except Exception as e:  # OSError, timeouts, TLS errors: count, back off, retry later
            self.counters["failures"] += 1
            if not self.last_error:
                self.log("http: push to %s failing: %s: %s" % (self.host, type(e).__name__, e))
            self.last_error = "%s: %s" % (type(e).__name__, e)
            self.next_ms = ticks_add(now, self.backoff.next_delay_ms())
        return 50

    def status(self):
        out = dict(self.counters)
        if self.last_error:
            out["last_error"] = self.last_error
        return out

    async def run(self):
        while True:
            await sleep_ms(self.step())
