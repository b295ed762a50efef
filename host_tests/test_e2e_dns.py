# The captive-portal DNS server under the MicroPython unix port on a free loopback port: real
# queries (dnspython) get the access point's address; malformed and oversized packets get no
# answer and do not stop it.
import os
import socket
import subprocess
import time

import dns.exception
import dns.message
import dns.query
import dns.rdatatype

from conftest import MICROPYTHON, ROOT
from harness import wait_for


def udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dns_answers_every_name_with_the_ap_address(tmp_path):
    port = udp_port()
    script = tmp_path / "dns_main.py"
    script.write_text(
        "import sys, asyncio\n"
        "sys.path.insert(0, %r)\n"
        "from hanport.svc.dns import DnsServer\n"
        "srv = DnsServer('192.168.4.1', %d, '127.0.0.1')\n"
        "asyncio.run(srv.serve())\n" % (os.path.join(ROOT, "firmware"), port)
    )
    proc = subprocess.Popen([MICROPYTHON, "-X", "heapsize=64k", str(script)], stderr=subprocess.PIPE)
    try:

        def ask(name, rdtype="A"):
            try:
                return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port, timeout=0.5)
            except dns.exception.Timeout:
                return None

        wait_for(lambda: ask("warmup.example"), 10, what="DNS server up")
        for name in ("connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "detectportal.firefox.com"):
            reply = ask(name)
            assert [r.address for rr in reply.answer for r in rr] == ["192.168.4.1"], name
        reply = ask("captive.apple.com", "AAAA")
        assert reply.answer == [] and reply.rcode() == 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            for junk in (
                b"",
                b"\x00" * 11,
                b"\xff" * 40,
                bytes((i * 97 + 13) % 256 for i in range(300)),
                b"\x12\x34\x01\x00" + b"\x00" * 2000,
            ):
                s.sendto(junk, ("127.0.0.1", port))
                try:
                    s.recvfrom(1024)
                    raise AssertionError("answered junk %r" % junk[:12])
                except socket.timeout:
                    pass
        time.sleep(0.2)
        assert ask("still.alive.example") is not None and proc.poll() is None
    finally:
        proc.kill()
        proc.wait(5)
