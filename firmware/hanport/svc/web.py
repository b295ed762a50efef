# The dongle's local web server (asyncio streams, both runtimes): read-only API on the LAN —
# HomeWizard-compatible /api and /api/v1/data, /api/v1/telegram, and hanport's own
# /api/reading and /api/status. Bounded: head <= 3 KB, 5 s to send it, 4 connections at once.
import asyncio

from hanport import VERSION
from hanport.core.homewizard import data_v1
from hanport.core.httphead import MAX_HEADERS, MAX_LINE, head_end, parse_head
from hanport.core.jsonfmt import dumps
from hanport.core.pages import status_page
from hanport.ticks import ticks_add, ticks_diff, ticks_ms

_READ_TIMEOUT_S = 5
_MAX_CONNECTIONS = 4
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Payload Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class WebServer:
    def __init__(self, app, port, host="0.0.0.0"):
        self.app = app
        self.port = port
        self.host = host
        self.active = 0
        self.counters = {"requests": 0, "refused": 0, "bad": 0}

    async def serve(self):
        await asyncio.start_server(self._client, self.host, self.port)
        while True:
            await asyncio.sleep(3600)

    async def _client(self, reader, writer):
        if self.active >= _MAX_CONNECTIONS:
            self.counters["refused"] += 1
            await self._send(writer, 503, "application/json", b'{"error": "busy"}')
            return
        self.active += 1
        try:
            status, head = await self._read_head(reader)
            if head is None:
                self.counters["bad"] += 1
                await self._send(
                    writer, status, "application/json", dumps({"error": _REASONS.get(status, "bad request")}).encode()
                )
                return
            self.counters["requests"] += 1
            status, ctype, body = self.route(head)
            await self._send(writer, status, ctype, body)
        except Exception:  # a broken client never takes the server down
            self.counters["bad"] += 1
        finally:
            self.active -= 1
            try:
                writer.close()
                await writer.wait_closed()
            except Exception:
                pass

    async def _read_head(self, reader):
        buf = b""
        cap = MAX_LINE + MAX_HEADERS + 4
        deadline = ticks_add(ticks_ms(), _READ_TIMEOUT_S * 1000)  # for the whole head, not per read
        while True:
            left_ms = ticks_diff(deadline, ticks_ms())
            if left_ms <= 0:
                return 408, None
            try:
                part = await asyncio.wait_for(reader.read(512), left_ms / 1000)
            except asyncio.TimeoutError:  # slowloris or idle client
                return 408, None
            if not part:
                return 400, None
            buf += part
            end = head_end(buf)
            if end >= 0:
                head, status = parse_head(buf[:end])
                return status, head
            if len(buf) > cap:
                return (414 if buf.find(b"\r\n") < 0 else 431), None

    async def _send(self, writer, status, ctype, body):
        head = (
            "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
            % (status, _REASONS.get(status, "Error"), ctype, len(body))
        )
        writer.write(head.encode())
        writer.write(body)
        await writer.drain()

    def route(self, head):
        """(status, content type, body bytes) for a parsed request."""
        if head.method != "GET":
            return 405, "application/json", b'{"error": "read-only API: GET only"}'
        app = self.app
        hub = app.hub
        path = head.path
        if path == "/":
            model = hub.reading_dict.get("meter_id") if hub.reading_dict else None
            return 200, "text/html; charset=utf-8", status_page(hub.device_id, model).encode()
        if path == "/api/history":
            return 200, "application/json", dumps(app.history.series()).encode()
        if path == "/api":
            info = {
                "product_type": "HWE-P1",
                "product_name": "hanport P1 meter",
                "serial": hub.device_id,
                "firmware_version": VERSION,
                "api_version": "v1",
            }
            return 200, "application/json", dumps(info).encode()
        if path == "/api/v1/data":
            wifi = app.ports.wifi
            data = data_v1(
                hub.reading_dict if hub.is_fresh(60000) else None,
                wifi.ssid_name() if wifi else None,
                wifi.rssi() if wifi else None,
            )
            return 200, "application/json", dumps(data).encode()
        if path == "/api/v1/telegram":
            raw = app.meter.last_telegram_text()
            if raw is None:
                return 503, "text/plain", b"no valid telegram yet\r\n"
            return 200, "text/plain", raw
        if path == "/api/reading":
            if not hub.is_fresh(60000):
                return 503, "application/json", dumps({"error": "no fresh reading", "meter": hub.update_meter_state()}).encode()
            out = dict(hub.reading_dict)
            out["age_s"] = hub.telegram_age_ms() // 1000
            return 200, "application/json", dumps(out).encode()
        if path == "/api/status":
            status = app.diag()
            status["web"] = dict(self.counters)
            return 200, "application/json", dumps(status).encode()
        return 404, "application/json", b'{"error": "not found"}'
