# Text view of a parsed telegram for tools, tests and the support bundle: the header and
# every OBIS object as [value string, unit or None] groups, exactly as sent. Allocates.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.reading import latin1


def tokenize(buf, n, parser):
    """(header, {obis: [[value, unit], ...]}) of the telegram buf[:n] that parser.parse()
    has just seen; unknown and known objects alike, continuation lines appended."""
    nl = buf.find(b"\n", 0, n)
    end = n - 1 if nl < 0 else nl
    if end > 1 and buf[end - 1] == 0x0D:
        end -= 1
    header = latin1(buf, 1, end)
    objects = {}
    groups = None
    for k in range(parser.n_lines):
        start = parser.line_start[k]
        nl = buf.find(b"\n", start, n)
        end = n if nl < 0 else nl
        if end > start and buf[end - 1] == 0x0D:
            end -= 1
        if buf[start] == 0x28:  # continuation line: more groups of the previous object
            i = start
        else:
            i = buf.find(b"(", start, end)
            parser._scan.obis(buf, start, i)
            groups = objects.setdefault(parser._scan.obis_text(), [])
        while i < end and buf[i] == 0x28:
            close = buf.find(b")", i + 1, end)
            if close < 0:
                break
            star = buf.find(b"*", i + 1, close)
            if star < 0:
                groups.append([latin1(buf, i + 1, close), None])
            else:
                groups.append([latin1(buf, i + 1, star), latin1(buf, star + 1, close)])
            i = close + 1
    return header, objects
