# make mem's browsers (tools/mem/mem_run.py): one HTTP request at a time to the firmware's web
# server through memnet's in-process sockets, the status page left open all along (it polls as
# www/status.html does), and an update bundle uploaded (the settings page or the setup portal).
import vasyncio


async def http(method, path, body=b"", extra="", host="192.168.1.50"):
    """One request to the firmware's web server; returns (status, bytes received)."""
    reader, writer = vasyncio.open_connection(80)
    head = "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n" % (method, path, host, extra, len(body))
    writer.write(head.encode() + body)
    status = 0
    total = 0
    while True:
        chunk = await reader.read(512)
        if not chunk:
            break
        if not total:
            status = int(chunk[9:12])
        total += len(chunk)
    writer.close()
    return status, total


async def upload(host, sample):
    """POST /api/update with the bundle read from flash 512 bytes at a time, as a browser sends
    it in TCP segments (never whole in this heap); returns the status."""
    import os

    from hanport.ticks import sleep_ms

    size = os.stat("/data/update.hpb")[6]
    with open("/data/settings_auth.txt") as f:
        auth = f.read()
    extra = "Authorization: %s\r\nOrigin: http://%s\r\nContent-Type: application/octet-stream\r\n" % (auth, host)
    reader, writer = vasyncio.open_connection(80)
    writer.write(("POST /api/update HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n" % (host, extra, size)).encode())
    chunk = bytearray(512)
    with open("/data/update.hpb", "rb") as f:
        while True:
            n = f.readinto(chunk)
            if not n:
                break
            writer.write(memoryview(chunk)[:n])
            while len(writer.pipe.data) > 1460:  # TCP's window: the sender waits for the reader
                await sleep_ms(2)
    sample("upload sent")
    answer = await reader.read(512)
    writer.close()
    return int(answer[9:12]) if answer else 0


async def status_page(app, duration_ms, sample):
    """The status page (www/status.html) open in a browser all along, asking as it does: the
    reading every 2 s, the device and the graph every 10 s, the hours and the fee every minute,
    one request at a time."""
    from hanport.ticks import sleep_ms

    answered = app.page = {}
    k = 0
    await sleep_ms(2000)  # the server is listening by then (opened by app.main after this task)
    for path in ("/", "/style.css"):
        status, _ = await http("GET", path)
        answered[status] = answered.get(status, 0) + 1
    while vasyncio.now_ms < duration_ms:
        paths = ["/api/reading"]
        if k % 5 == 0:
            paths += ["/api/status", "/api/history"]
        if k % 30 == 0:
            paths += ["/api/hours", "/api/peaks"]
        for path in paths:
            status, size = await http("GET", path)
            answered[status] = answered.get(status, 0) + 1
            if path == "/api/hours":
                answered["hours_bytes"] = size  # the whole answer, head included
            sample("page " + path)
        k += 1
        await sleep_ms(2000)
