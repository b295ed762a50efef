# Run by test_e2e_lan.py inside a network namespace of its own (`unshare -rn`: only a loopback
# with multicast, port 5353 free): the MicroPython host firmware with its web server and mDNS
# responder, found and read by the real clients (zeroconf, python-homewizard-energy), then
# flooded with bad packets. Prints one JSON object of what it saw; the test asserts on it.
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request

sys.path[:0] = [
    os.path.dirname(os.path.abspath(__file__)),
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"),
]

from harness import FakeMeter, Firmware, free_port, wait_for  # noqa: E402

MAC = "a4:cf:12:ab:34:cd"
TYPES = ["_hwenergy._tcp.local.", "_http._tcp.local."]


def _loopback_multicast():
    for cmd in ("ip link set lo up", "ip link set lo multicast on", "ip route add 224.0.0.0/4 dev lo"):
        subprocess.check_call(cmd.split())


def _browse(seconds=10):
    from zeroconf import ServiceBrowser, ServiceListener, Zeroconf

    zc = Zeroconf(interfaces=["127.0.0.1"])
    found = {}

    class Listener(ServiceListener):
        def add_service(self, zc, kind, name):
            found[kind] = name

        def update_service(self, zc, kind, name):
            found[kind] = name

        def remove_service(self, zc, kind, name):
            found.pop(kind, None)

    browser = ServiceBrowser(zc, TYPES, Listener())
    seen = {}
    try:
        wait_for(lambda: len(found) == 2, seconds, what=lambda: "services %s" % found)
        for kind, name in found.items():
            info = zc.get_service_info(kind, name, 3000)
            seen[kind] = {
                "name": name,
                "server": info.server,
                "port": info.port,
                "addresses": info.parsed_addresses(),
                "txt": {k.decode(): (v or b"").decode() for k, v in info.properties.items()},
            }
    finally:
        browser.cancel()
        zc.close()
    return seen


async def _homewizard(port):
    from homewizard_energy import HomeWizardEnergy

    async with HomeWizardEnergy("127.0.0.1:%d" % port) as api:
        device = await api.device()
        data = await api.data()
        system = await api.system()
        identified = await api.identify()
    return {
        "device": {"product_type": device.product_type, "serial": device.serial, "api_version": device.api_version},
        "data": {k: v for k, v in vars(data).items() if v is not None and k != "external_devices"},
        "system": {"cloud_enabled": system.cloud_enabled},
        "identify": identified,
    }


def _status(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/api/status" % port, timeout=5) as r:
        return json.load(r)


def _flood(count):
    """Garbage, oversized packets, pointer loops and responses to the group and to the host."""
    rng = random.Random(7)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    loop = bytes(12) + b"\xc0\x0c\x00\x0c\x00\x01"
    loop = loop[:5] + b"\x01" + loop[6:]
    kinds = [lambda: rng.randbytes(rng.randrange(0, 600)), lambda: rng.randbytes(1600), lambda: loop]
    for i in range(count):
        packet = kinds[i % 3]()
        target = ("224.0.0.251", 5353) if i % 2 else ("127.0.0.1", 5353)
        try:
            sock.sendto(packet, target)
        except OSError:
            pass
        if i % 50 == 0:
            time.sleep(0.02)  # about 2,500 packets a second
    sock.close()


def _heap_free(fw):
    lines = [line for line in fw.lines if line.startswith("heap free=")]
    return int(lines[-1].split()[1].split("=")[1]) if lines else None


def main(mpy, workdir):
    _loopback_multicast()
    meter = FakeMeter(workdir, rate=4, count=6, seed=4)
    web = free_port()
    args = ["--web-port", str(web), "--mdns-port", "5353", "--ip", "127.0.0.1", "--mac", MAC, "--heap-report", "1"]
    fw = Firmware(workdir, meter.link, {"wifi.ssid": "home"}, extra=args, mpy=mpy)
    out = {}
    try:
        wait_for(lambda: "mdns: hanport-ab34cd.local at 127.0.0.1" in fw.output(), 30, what=fw.output)
        wait_for(lambda: len(meter.sent()) == 6, 20, what="6 telegrams sent")
        last = meter.sent()[-1]
        stamp = '"meter_time": "%s"' % last["meter_time"]
        wait_for(lambda: stamp in fw.output(), 10, what=fw.output)  # the last telegram is the reading
        out["truth"] = last
        out["browse"] = _browse()
        out["homewizard"] = asyncio.run(_homewizard(web))
        wait_for(lambda: "identify:" in fw.output(), 5, what=fw.output)
        out["identify_logged"] = True
        time.sleep(2)
        before = _heap_free(fw)
        _flood(3000)
        time.sleep(2)
        out["browse_after_flood"] = _browse()
        time.sleep(2)
        out["heap_free"] = [before, _heap_free(fw)]
        out["status"] = _status(web)
    finally:
        fw.stop()
        meter.stop()
        out["output_tail"] = fw.output()[-3000:]
    print("SCENARIO " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
