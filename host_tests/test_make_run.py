# `make run` (tools/run.sh) as the README documents it: each combination starts the firmware from
# the .mpy build (as on the device) fed by the virtual meter, and shows readings; with WEB_PORT
# the status page and API answer, with CONFIG naming a real mosquitto MQTT connects as well.
import json
import os
import re
import signal
import subprocess
import threading
import urllib.request

import pytest

from conftest import ROOT
from harness import Broker, free_port, wait_for

RUN = os.path.join(ROOT, "tools", "run.sh")


class MakeRun:
    def __init__(self, env):
        self.lines = []
        full = dict(os.environ, RATE="4", **env)
        self.proc = subprocess.Popen(
            [RUN], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=full, start_new_session=True
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self):
        return "".join(self.lines)

    def stop(self):
        """SIGTERM to the launcher only, as systemd's KillMode=mixed does."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(15)


def _get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as reply:
        return reply.status, reply.read()


@pytest.mark.parametrize("combo", ["plain", "web", "mqtt+web+verbose", "cpython+web"])
def test_make_run_combination_shows_readings(tmp_path, combo):
    env = {}
    broker = None
    if "web" in combo:
        env["WEB_PORT"] = str(free_port())
    if combo.startswith("cpython"):
        env["RUNTIME"] = "cpython"
    if "verbose" in combo:
        env["VERBOSE"] = "1"
    if "mqtt" in combo:
        broker = Broker(tmp_path).start()
        config = tmp_path / "config.json"
        config.write_text(json.dumps({"mqtt.host": "127.0.0.1", "mqtt.port": broker.port, "device.id": "makerun"}))
        env["CONFIG"] = str(config)
    run = MakeRun(env)
    try:
        if "verbose" in combo:  # the canonical reading as JSON
            wait_for(lambda: run.output().count("reading {") >= 2, 60, what=run.output)
        else:  # one line for people: time | net power | per phase | energy
            shape = re.compile(
                r"reading \d\d:\d\d:\d\d \| net -?\d+\.\d{3} kW \| L1 -?\d+\.\d{3} kW [\d.]+ A \|.* \| in \d+\.\d{3} kWh"
            )
            wait_for(lambda: len(shape.findall(run.output())) >= 2, 60, what=run.output)
            assert "reading {" not in run.output()
        out = run.output()
        assert "MemoryError" not in out and "Traceback" not in out, out
        if combo.startswith("cpython"):
            assert "on cpython" in out, out
        else:
            assert "on micropython" in out, out
        if "mqtt" in combo:
            wait_for(lambda: "mqtt: connected" in run.output(), 20, what=run.output)
        if "web" in combo:
            port = int(env["WEB_PORT"])
            status, page = _get(port, "/")
            assert status == 200 and page
            status, body = _get(port, "/api/v1/data")
            assert status == 200 and "active_power_w" in json.loads(body), body
    finally:
        run.stop()
        if broker is not None:
            broker.kill()


def test_the_whole_update_on_a_laptop_make_run_make_bundle_make_ota(tmp_path):
    """README's update demo: make run WEB_PORT=…, make bundle BOARD=host VERSION=9.9.9, make ota …:
    the firmware restarts into 9.9.9 under make run's supervisor, as a board resets into it."""
    password = "laptop-admin-1"
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"admin.password": password, "device.id": "laptop"}))
    port = free_port()
    run = MakeRun({"WEB_PORT": str(port), "CONFIG": str(config)})
    try:
        wait_for(lambda: "web: status page and API" in run.output(), 60, what=run.output)
        bundle = subprocess.run(["make", "-s", "bundle", "BOARD=host", "VERSION=9.9.9"], cwd=ROOT, capture_output=True, text=True)
        assert bundle.returncode == 0 and "hanport 9.9.9 for host" in bundle.stdout, bundle.stdout + bundle.stderr
        path = os.path.join("build", "hanport-9.9.9-host.hpb")
        ota = ["make", "-s", "ota", "HOST=127.0.0.1:%d" % port, "BUNDLE=" + path]
        wrong = subprocess.run(ota + ["PASSWORD=not-the-password"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert wrong.returncode != 0 and "refused (401)" in wrong.stdout, wrong.stdout + wrong.stderr
        done = subprocess.run(ota + ["PASSWORD=" + password], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "hanport 9.9.9 runs" in done.stdout, done.stdout + done.stderr + run.output()
        assert json.loads(_get(port, "/api")[1])["firmware_version"] == "9.9.9"
        assert "exit 75 asks the supervisor for a new start" in run.output() and password not in run.output()
        assert json.loads(config.read_text()) == {"admin.password": password, "device.id": "laptop"}
    finally:
        run.stop()
    assert run.proc.returncode == 0, run.output()
