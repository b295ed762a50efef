# Parsing of an HTTP/1.x request head (request line + headers) from a bounded buffer, for the
# dongle's small web server: limits are checked before anything is decoded, bad input gets a
# status code, never an exception. Pure core: must not import machine, network, socket, time.
from hanport.core.const import const

MAX_LINE = const(1024)  # request line
MAX_HEADERS = const(2048)  # all header lines together
MAX_BODY = const(4096)
MAX_HEADER_COUNT = const(32)
# An update bundle (docs/updates.md) is the one body that is never held whole: svc/web.py hands
# the connection to the site, which streams it to flash in small chunks. A 4-MB flash holds no more.
STREAMED_PATH = "/api/update"
MAX_STREAMED = const(2097152)


class Head:
    def __init__(self):
        self.method = ""
        self.path = ""
        self.query = ""
        self.headers = {}  # lower-case name -> value
        self.content_length = 0
        self.streamed = False  # POST /api/update: the body is read by the site, not buffered


def head_end(buf):
    """Index just past the blank line ending the head, or -1 if not there yet."""
    i = buf.find(b"\r\n\r\n")
    return -1 if i < 0 else i + 4


def parse_head(raw):
    """(Head, 0) or (None, HTTP status) for the bytes of a complete head."""
    line_end = raw.find(b"\r\n")
    if line_end < 0 or line_end > MAX_LINE:
        return None, 414 if line_end > MAX_LINE else 400
    if len(raw) - line_end > MAX_HEADERS + 4:
        return None, 431
    try:
        line = raw[:line_end].decode()
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return None, 400
        head = Head()
        head.method = parts[0]
        target = parts[1]
        if not target.startswith("/"):
            return None, 400
        q = target.find("?")
        head.path, head.query = (target, "") if q < 0 else (target[:q], target[q + 1 :])
        lines = raw[line_end + 2 :].decode().split("\r\n")
    except UnicodeError:
        return None, 400
    count = 0
    for text in lines:
        if not text:
            continue
        count += 1
        colon = text.find(":")
        if colon <= 0 or count > MAX_HEADER_COUNT:
            return None, 431 if count > MAX_HEADER_COUNT else 400
        head.headers[text[:colon].strip().lower()] = text[colon + 1 :].strip()
    length = head.headers.get("content-length", "0")
    if not length.isdigit():
        return None, 400
    head.content_length = int(length)
    head.streamed = head.method == "POST" and head.path == STREAMED_PATH
    if head.content_length > (MAX_STREAMED if head.streamed else MAX_BODY):
        return None, 413
    return head, 0
