#!/usr/bin/env python3
# `make ota HOST=address[:port] BUNDLE=file.hpb PASSWORD=admin-password`: sends an update bundle
# to a dongle's POST /api/update (as the settings page does), then follows it: restart, trial.
# Exit 0 when the new version answers, 1 when it is refused or undone. Standard library only.
# Usage: ota.py HOST[:PORT] BUNDLE PASSWORD [--wait S]
import base64
import http.client
import json
import os
import sys
import time

CHUNK = 4096


def _host_port(text):
    host, _, port = text.partition(":")
    return host, int(port or 80)


def upload(address, path, password, out=sys.stdout):
    """(status, answer dict). The body is streamed from the file, never read whole."""
    host, port = _host_port(address)
    size = os.path.getsize(path)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.putrequest("POST", "/api/update")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(size))
    conn.putheader("Authorization", "Basic " + base64.b64encode(("admin:" + password).encode()).decode())
    conn.endheaders()
    sent = 0
    shown = -1
    try:
        with open(path, "rb") as f:
            while True:
                block = f.read(CHUNK)
                if not block:
                    break
                conn.send(block)
                sent += len(block)
                percent = sent * 100 // size
                if percent // 10 != shown:
                    shown = percent // 10
                    out.write("\ruploading %s: %3d %%" % (os.path.basename(path), percent))
                    out.flush()
    except OSError:
        pass  # the dongle answered early (a refusal) and closed: its answer is read below
    out.write("\n")
    reply = conn.getresponse()
    body = reply.read()
    try:
        return reply.status, json.loads(body)
    except ValueError:
        return reply.status, {"error": body.decode(errors="replace")[:200]}


def follow(address, version, wait_s, out=sys.stdout):
    """Waits for the dongle to come back: True when `version` runs, False when it was undone."""
    host, port = _host_port(address)
    end = time.monotonic() + wait_s
    while time.monotonic() < end:
        time.sleep(1)
        try:
            conn = http.client.HTTPConnection(host, port, timeout=3)
            conn.request("GET", "/api/update")
            report = json.loads(conn.getresponse().read())
        except (OSError, ValueError):
            continue  # restarting
        failed = report.get("failed") or {}
        if report.get("version") == version:
            out.write("hanport %s runs, on trial: marked good after its trial, or undone by itself\n" % version)
            return True
        if failed.get("version") == version:
            out.write("hanport %s failed and was undone: %s\n" % (version, failed.get("reason")))
            return False
    out.write("no answer with version %s within %d s\n" % (version, wait_s))
    return False


def main(argv):
    if len(argv) < 3 or not argv[2]:
        raise SystemExit("usage: make ota HOST=address[:port] BUNDLE=build/hanport-x.y.z-board.hpb PASSWORD=admin-password")
    wait_s = int(argv[argv.index("--wait") + 1]) if "--wait" in argv else 90
    status, answer = upload(argv[0], argv[1], argv[2])
    if status != 200:
        print("refused (%d): %s; nothing was changed" % (status, answer.get("error")))
        return 1
    print("verified and installed %s; the dongle restarts into it" % answer["installed"])
    return 0 if follow(argv[0], answer["installed"], wait_s) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
