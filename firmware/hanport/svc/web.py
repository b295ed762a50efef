# The dongle's small HTTP/1.0 server (asyncio streams, both runtimes): reads a bounded request
# (line <= 1 KB, headers <= 2 KB, body <= 4 KB, 5 s for all of it, 4 connections at once; an update
# bundle is streamed by the site), hands it to a site (normal mode: svc/site.py, setup mode:
# svc/setup.py) and sends the reply. Pages come pre-gzipped from www in 512-byte chunks. No machine/network.
import asyncio

from hanport.core.jsonfmt import dumps
from hanport.core.lan.httphead import MAX_HEADERS, MAX_LINE, head_end, parse_head
from hanport.ticks import ticks_add, ticks_diff, ticks_ms

_DEADLINE_S = 5
_SEND_S = 10  # a client that does not take its answer within this is dropped
_MAX_CONNECTIONS = 4
_CHUNK = 512
_GZIP_WBITS = 10  # pages are compressed with a 1 KB window (tools/build_www.py): 1 KB to unpack
_REASONS = {
    200: "OK",
    202: "Accepted",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    411: "Length Required",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    507: "Insufficient Storage",
}
_TYPES = {"html": "text/html; charset=utf-8", "css": "text/css", "js": "text/javascript", "svg": "image/svg+xml"}
# Pages are inline-script documents served by the dongle itself: nothing from elsewhere, and
# never inside another site's frame (clickjacking the settings form).
_SECURITY = (
    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'\r\n"
)


def json_reply(status, obj, headers=None):
    return status, "application/json", dumps(obj).encode(), headers


class StaticFile:
    def __init__(self, path, gzipped):
        self.path = path
        self.gzipped = gzipped


class Request:
    def __init__(self, head, body):
        self.method = head.method
        self.path = head.path
        self.query = head.query
        self.headers = head.headers
        self.content_length = head.content_length
        self.body = body  # None: streamed (POST /api/update), read by site.receive()
        self.pending = b""  # a streamed body's first bytes, read with the head


class WebServer:
    def __init__(self, site, port, www_dir, host="0.0.0.0"):
        self.site = site  # site.route(request) -> (status, content type, bytes | StaticFile, headers)
        self.port = port
        self.www_dir = www_dir
        self.host = host
        self.active = 0
        self.server = None
        self.chunk = bytearray(_CHUNK)
        # Requests are read in parallel but answered one at a time: only one reply (JSON text,
        # file chunk) is ever on the heap, whatever a browser opening 6 connections does.
        self.answering = asyncio.Lock()
        self.counters = {"requests": 0, "refused": 0, "bad": 0}
        self.last_error = None

    async def serve(self):
        self.server = await asyncio.start_server(self._client, self.host, self.port)
        while True:
            await asyncio.sleep(3600)

    def close(self):
        if self.server is not None:
            self.server.close()
            self.server = None

    def static(self, name, request):
        """Reply with www/<name>: the .gz copy to browsers that accept gzip (all current ones),
        otherwise decompressed on the fly."""
        ctype = _TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        gzip_ok = "gzip" in request.headers.get("accept-encoding", "")
        return 200, ctype, StaticFile(self.www_dir + "/" + name + ".gz", gzip_ok), None

    async def _client(self, reader, writer):
        if self.active >= _MAX_CONNECTIONS:
            self.counters["refused"] += 1
            await self._send(writer, json_reply(503, {"error": "busy"}))
            return
        self.active += 1
        try:
            request, status = await self._read_request(reader)
            if request is None:
                self.counters["bad"] += 1
                await self._send(writer, json_reply(status, {"error": _REASONS.get(status, "bad request")}))
                return
            self.counters["requests"] += 1
            # A streamed body is read before the answer lock: other pages are answered meanwhile.
            reply = await self.site.receive(request, reader) if request.body is None else None
            async with self.answering:
                await asyncio.wait_for(self._send(writer, reply or self.site.route(request)), _SEND_S)
        except Exception as e:  # a broken client never takes the server down
            self.counters["bad"] += 1
            self.last_error = "%s: %s" % (type(e).__name__, e)  # shown in /api/status
        finally:
            self.active -= 1
            try:
                writer.close()
                await writer.wait_closed()
            except Exception:
                pass

    async def _read_request(self, reader):
        """(Request, 0) or (None, status). One deadline for the whole request, not per read:
        a client trickling a byte a second is cut off after 5 s."""
        buf = b""
        head = None
        cap = MAX_LINE + MAX_HEADERS + 4
        deadline = ticks_add(ticks_ms(), _DEADLINE_S * 1000)
        while True:
            if head is None:
                end = head_end(buf)
                if end >= 0:
                    head, status = parse_head(buf[:end])
                    if head is None:
                        return None, status
                    if "transfer-encoding" in head.headers:
                        return None, 501  # chunked bodies: not needed by any form here
                    if head.method == "POST" and "content-length" not in head.headers:
                        return None, 411
                    buf = buf[end:]
                    if head.streamed:  # an update bundle: the site reads the rest (svc/updater.py)
                        request = Request(head, None)
                        request.pending = buf
                        return request, 0
                elif len(buf) > cap:
                    return None, (414 if buf.find(b"\r\n") < 0 else 431)
            if head is not None and len(buf) >= head.content_length:
                return Request(head, buf[: head.content_length]), 0
            left_ms = ticks_diff(deadline, ticks_ms())
            if left_ms <= 0:
                return None, 408
            try:
                part = await asyncio.wait_for(reader.read(512), left_ms / 1000)
            except asyncio.TimeoutError:  # slowloris or idle client
                return None, 408
            if not part:
                return None, 400
            buf += part

    async def _send(self, writer, reply):
        status, ctype, body, headers = reply
        extra = _SECURITY if ctype.startswith("text/html") else ""
        if headers:
            for name in headers:
                extra += "%s: %s\r\n" % (name, headers[name])
        if isinstance(body, StaticFile):
            await self._send_file(writer, status, ctype, body, extra)
            return
        head = (
            "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCache-Control: no-store\r\n%sConnection: close\r\n\r\n"
        )
        writer.write((head % (status, _REASONS.get(status, "Error"), ctype, len(body), extra)).encode())
        writer.write(body)
        await writer.drain()

    async def _send_file(self, writer, status, ctype, static, extra):
        try:
            f = open(static.path, "rb")
        except OSError:
            await self._send(writer, json_reply(404, {"error": "page not installed"}))
            return
        try:
            if static.gzipped:
                stream = f
                extra += "Content-Encoding: gzip\r\n"
            else:
                stream = _gunzip(f)
            head = "HTTP/1.0 %d OK\r\nContent-Type: %s\r\nVary: Accept-Encoding\r\nCache-Control: no-cache\r\n"
            writer.write((head % (status, ctype) + extra + "Connection: close\r\n\r\n").encode())
            chunk = self.chunk
            view = memoryview(chunk)
            while True:
                n = stream.readinto(chunk)
                if not n:
                    break
                writer.write(view[:n])
                await writer.drain()
        finally:
            f.close()


def _gunzip(f):
    try:
        import deflate  # MicroPython 1.21+: decompression is built into every port

        return deflate.DeflateIO(f, deflate.GZIP, _GZIP_WBITS)
    except ImportError:
        import gzip

        return gzip.GzipFile(fileobj=f)
