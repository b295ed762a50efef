# In-process web client for the route tests: a request built the way the server builds it (the
# head parsed by core/lan/httphead.py, wrapped in svc/web.Request) and handed to a site's route()
# directly: no socket, no sleep, the same on CPython and MicroPython. Static files are read back.
import json

from hanport.core.lan.httphead import parse_head
from hanport.svc.web import Request, StaticFile


class Reply:
    def __init__(self, status, ctype, body, headers):
        self.status = status
        self.ctype = ctype
        self.body = body  # bytes (a static file's bytes as stored)
        self.headers = headers or {}

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, site, host="192.168.1.57"):
        self.site = site
        self.host = host

    def request(self, method, path, body=b"", headers=None):
        h = {"Host": self.host}
        if method == "POST":
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Content-Length"] = str(len(body))
        for k in headers or {}:
            h[k] = headers[k]
        lines = "".join("%s: %s\r\n" % (k, h[k]) for k in h)
        head, status = parse_head(("%s %s HTTP/1.1\r\n%s\r\n" % (method, path, lines)).encode())
        if head is None:
            return Reply(status, None, b"", None)
        status, ctype, out, extra = self.site.route(Request(head, body))
        if isinstance(out, StaticFile):
            with open(out.path, "rb") as f:
                out = f.read()
        return Reply(status, ctype, out, extra)

    def get(self, path, **headers):
        return self.request("GET", path, b"", {k.replace("_", "-"): headers[k] for k in headers})

    def post(self, path, body, **headers):
        return self.request("POST", path, body, {k.replace("_", "-"): headers[k] for k in headers})
