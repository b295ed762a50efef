# A settings save killed (SIGKILL) at every step of the atomic write, on the MicroPython unix
# port: the config file afterwards holds either the old or the new settings, always loadable,
# and a later save works despite the temp file left behind.
import json
import os
import signal
import subprocess

from conftest import MICROPYTHON, ROOT
from hanport.core import config
from hanport.svc.startup import load_config
from hanport.svc.store import JsonStore

SCRIPT = os.path.join(ROOT, "host_tests", "mp", "kill_save.py")
OLD = {"version": 1, "wifi.ssid": "old-home", "wifi.password": "old-password", "admin.password": "adminpass1"}
NEW = {
    "version": 1,
    "wifi.ssid": "new-home",
    "wifi.password": "new-password",
    "mqtt.host": "broker.lan",
    "admin.password": "adminpass2",
}


def _save_killed_at(tmp_path, step):
    path = str(tmp_path / "config.json")
    with open(path, "w") as f:
        json.dump(OLD, f, sort_keys=True)
    new_text = tmp_path / "new.json"
    new_text.write_text(json.dumps(NEW, sort_keys=True) + " " * 3000)  # big enough to be written in parts
    proc = subprocess.run(
        [MICROPYTHON, SCRIPT, os.path.join(ROOT, "firmware"), path, str(new_text), str(step)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return path, proc


def test_save_killed_at_every_step_leaves_old_or_new(tmp_path):
    outcomes = {}
    for step in (0, 1, 2, 3, 4):
        folder = tmp_path / ("step%d" % step)
        folder.mkdir()
        path, proc = _save_killed_at(folder, step)
        assert proc.returncode == -signal.SIGKILL, (step, proc.stdout, proc.stderr)
        with open(path) as f:
            stored = json.load(f)  # never half a file
        assert stored in (OLD, NEW), step
        cfg, errors = load_config(JsonStore(path), lambda text: None)
        assert errors == {} and cfg["wifi.ssid"] == stored["wifi.ssid"]
        outcomes[step] = "new" if stored == NEW else "old"
        # The next save, over whatever temp file the kill left, succeeds.
        JsonStore(path).save_text(json.dumps(config.to_file(config.validate(NEW)[0])))
        with open(path) as f:
            assert json.load(f)["wifi.ssid"] == "new-home"
    assert outcomes == {0: "old", 1: "old", 2: "old", 3: "old", 4: "new"}
    path, proc = _save_killed_at(tmp_path, -1)
    assert proc.returncode == 0 and "saved" in proc.stdout
    with open(path) as f:
        assert json.load(f) == NEW
