# Run by test_netport.py on CPython and the MicroPython unix port: an MQTT client that, like
# umqtt.simple >= 1.5.0, calls settimeout(None) before connect(), against a broker that accepts
# TCP and never answers. Prints "failed after N ms: ..." or "answered".
# Usage: netport_client.py FIRMWARE_DIR PORT TIMEOUT_S
import sys

sys.path.insert(0, sys.argv[1])
from hanport.netport import NetPort  # noqa: E402
from hanport.ticks import ticks_diff, ticks_ms  # noqa: E402

port = NetPort(int(sys.argv[3]))
addr = port.getaddrinfo("127.0.0.1", int(sys.argv[2]))[0][-1]
sock = port.socket()
start = ticks_ms()
try:
    sock.settimeout(None)  # umqtt.simple 1.5.0+: MQTTClient.connect() does this first
    sock.connect(addr)
    sock.write(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")  # CONNECT, empty client id
    answer = sock.read(4)  # CONNACK: the silent broker never sends it
    print("answered %r" % (answer,))
except OSError as e:
    print("failed after %d ms: %s" % (ticks_diff(ticks_ms(), start), e))
sock.close()
