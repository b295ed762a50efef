# The network port's bound on every blocking call, against a real silent peer: a newer
# umqtt.simple's settimeout(None) must not turn into "wait forever" (it would stall the event
# loop until the ESP32's watchdog resets the board, again and again).
import os
import socket
import subprocess
import sys
import threading

import pytest

from conftest import MICROPYTHON, ROOT

CLIENT = os.path.join(ROOT, "host_tests", "netport_client.py")
TIMEOUT_S = 2


@pytest.fixture
def silent_broker():
    """Accepts TCP connections and reads what comes, never answering."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("runtime", ["micropython", "cpython"])
def test_settimeout_none_is_bounded_against_a_silent_broker(silent_broker, runtime):
    exe = MICROPYTHON if runtime == "micropython" else sys.executable
    if not os.path.exists(exe):
        pytest.fail("runtime missing: %s (run make test)" % exe)
    args = [exe, CLIENT, os.path.join(ROOT, "firmware"), str(silent_broker), str(TIMEOUT_S)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=10 * TIMEOUT_S)
    assert proc.stdout.startswith("failed after "), proc.stdout + proc.stderr
    elapsed_ms = int(proc.stdout.split()[2])
    assert TIMEOUT_S * 1000 * 0.9 <= elapsed_ms <= 3 * TIMEOUT_S * 1000, proc.stdout
