# The path onto a real dongle, checked without a board: every board's files and wiring picture,
# `make build` per chip (mpy-cross with -march, size report), the built tree running the core
# tests on the MicroPython unix port, the deploy dry run (exact file list, per-device setup
# password), flash commands per chip, the version check, and the capture tool on a pty.
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import MICROPYTHON, MPY_CROSS, ROOT
from hanport.core.boards import CHIPS, validate
from harness import FakeMeter

BOARDS = sorted(n for n in os.listdir(os.path.join(ROOT, "boards")) if os.path.isdir(os.path.join(ROOT, "boards", n)))
ARCH_CODE = {"xtensawin": 10, "rv32imc": 11}  # mpy v6 header: feature byte >> 2 (py/persistentcode.h)
TOOLS = os.path.join(ROOT, "tools")
sys.path.insert(0, TOOLS)
import build as builder  # noqa: E402
import deploy  # noqa: E402
import wiring_svg  # noqa: E402
from hanport import VERSION  # noqa: E402


def test_the_four_boards_are_there_valid_and_documented():
    assert {"esp32-devkitc", "esp32-c3-supermini", "esp32-s2-mini", "esp32-s3-devkitc"} <= set(BOARDS)
    for name in BOARDS:
        folder = os.path.join(ROOT, "boards", name)
        with open(os.path.join(folder, "board.json")) as f:
            raw = json.load(f)
        board, errors = validate(raw)
        assert errors == [] and board["name"] == name, (name, errors)
        with open(os.path.join(folder, "wiring.svg")) as f:
            assert f.read() == wiring_svg.svg(name, raw), name + ": wiring.svg is stale, run make wiring"
        with open(os.path.join(folder, "README.md")) as f:
            text = f.read()
        assert "GPIO%d" % board["rx_pin"] in text and "wiring.svg" in text and "250 mA" in text, name


@pytest.mark.parametrize("name", BOARDS)
def test_build_for_each_board(tmp_path, name):
    board, raw = builder.board_config(name)
    arch = CHIPS[board["chip"]]["arch"]
    out, files = builder.build(name, str(tmp_path / name))
    assert builder.report(name, out, files) == sum(size for _, size in files)
    names = {rel for rel, _ in files}
    assert {
        "main.py",
        "boot.py",
        "board.json",
        "www/config.html.gz",
        "hanport/esp32/main.mpy",
        "hanport/core/p1/parser.mpy",
        "umqtt/simple.mpy",
    } <= names
    assert not [
        n for n in names if n.startswith("hanport/host/") or n.endswith((".html", ".css")) or n.endswith(".py") and "/" in n
    ]
    for rel in names:
        if rel.endswith(".mpy"):
            with open(os.path.join(out, rel), "rb") as f:
                data = f.read()
            head = data[:4]
            # "M", version 6; arch field: 0 (bytecode only, runs on any port) or the chip's arch
            assert head[0:2] == b"M\x06" and head[2] >> 2 in (0, ARCH_CODE[arch]), (rel, head)
            # one shared source name, not this checkout's path (it would be interned on the device)
            assert ROOT.encode() not in data and b"firmware/" not in data, rel
    with open(os.path.join(out, "board.json")) as f:
        assert json.load(f) == raw
    # The MQTT client is the pinned release the tests run, compiled for this chip (no mip).
    pinned = tmp_path / "pinned_simple.mpy"
    subprocess.run([MPY_CROSS, "-s", builder.SOURCE_NAME, "-march=" + arch, "-o", str(pinned), builder.UMQTT_SOURCE], check=True)
    assert (tmp_path / name / "umqtt" / "simple.mpy").read_bytes() == pinned.read_bytes()
    # Native code for the chip: the matching mpy-cross emits it and marks the arch in the header.
    probe = tmp_path / "probe.py"
    probe.write_text("import micropython\n@micropython.viper\ndef add(a: int, b: int) -> int:\n    return a + b\n")
    subprocess.run([MPY_CROSS, "-march=" + arch, "-o", str(tmp_path / "probe.mpy"), str(probe)], check=True)
    assert (tmp_path / "probe.mpy").read_bytes()[2] >> 2 == ARCH_CODE[arch]


def test_built_tree_runs_the_core_tests_on_micropython(tmp_path):
    out, _ = builder.build("esp32-devkitc", str(tmp_path / "bytecode"), march="none")
    proc = subprocess.run(
        [MICROPYTHON, "-X", "heapsize=2m", os.path.join(ROOT, "host_tests", "mp_runner.py"), "--firmware", out]
        + ["test_crc", "test_framer", "test_parser", "test_boot_and_boards"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and re.search(r"\d+ passed, 0 failed", proc.stdout), proc.stdout[-3000:]


def test_deploy_dry_run_writes_exactly_the_device_files(tmp_path, capsys):
    device = tmp_path / "device"
    deploy.deploy("esp32-c3-supermini", dry_dir=str(device))
    out = capsys.readouterr().out
    built = os.path.join(ROOT, "build", "esp32-c3-supermini")
    expected = {on_device for _, on_device in deploy.layout(built)} | {"setup.json", "app.json"}
    assert set(deploy.device_files(str(device))) == expected
    assert "app_a/hanport/svc/app.mpy" in expected and "appslot.mpy" in expected and "main.py" in expected
    with open(device / "app.json") as f:
        assert json.load(f) == {"run": "app_a", "version": VERSION, "state": "good"}  # docs/updates.md
    with open(device / "board.json") as f:
        assert json.load(f)["chip"] == "esp32c3"
    with open(device / "setup.json") as f:
        password = json.load(f)["ap_password"]
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password) and password in out
    assert (device / "app_a" / "umqtt" / "simple.mpy").exists() and "mip" not in out  # the pinned client, copied
    deploy.deploy("esp32-c3-supermini", dry_dir=str(device))  # again: the device keeps its password
    with open(device / "setup.json") as f:
        assert json.load(f)["ap_password"] == password
    other = tmp_path / "other"
    deploy.deploy("esp32-c3-supermini", dry_dir=str(other))
    with open(other / "setup.json") as f:
        assert json.load(f)["ap_password"] != password  # never the same on two devices


def test_flash_commands_and_version_check(tmp_path, capsys):
    image = tmp_path / "ESP32_GENERIC.bin"
    image.write_bytes(b"\xe9" + bytes(100))
    deploy.flash("esp32-devkitc", "/dev/ttyUSB0", str(image), dry=True)
    deploy.flash("esp32-c3-supermini", "/dev/ttyACM0", str(image), dry=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("--chip esp32 --port /dev/ttyUSB0 erase-flash")
    assert lines[1].endswith("write-flash -z 0x1000 " + str(image))
    assert lines[3].endswith("write-flash -z 0x0 " + str(image)) and "--chip esp32c3" in lines[3]
    not_image = tmp_path / "page.html"
    not_image.write_bytes(b"<html>")
    with pytest.raises(SystemExit, match="not an ESP32 image"):
        deploy.flash("esp32-devkitc", "/dev/ttyUSB0", str(not_image), dry=True)
    assert deploy.check_version("(1, 28, 0, '')")[0] and deploy.check_version("1.26.1")[0]
    assert not deploy.check_version("(1, 22, 2, '')")[0]
    ok, message = deploy.check_version("(1, 30, 0, '')")
    assert ok and "newer than tested" in message
    assert not deploy.check_version("garbage")[0]


def test_capture_tool_records_what_p1decode_reads(tmp_path):
    meter = FakeMeter(tmp_path, rate=4)
    out = tmp_path / "capture.bin"
    try:
        proc = subprocess.run(
            [sys.executable, os.path.join(TOOLS, "capture.py"), meter.link, "--seconds", "3", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        meter.stop()
    assert proc.returncode == 0 and "good telegram" in proc.stdout
    decoded = subprocess.run([sys.executable, os.path.join(TOOLS, "p1decode.py"), str(out)], capture_output=True, text=True)
    telegrams = [json.loads(line) for line in decoded.stdout.splitlines()]
    assert len(telegrams) >= 8 and all(t["crc_ok"] for t in telegrams)
    sent_wh = {t["energy_import_wh"] for t in meter.sent()}
    for t in telegrams:  # byte-exact: every register read back is one the meter sent
        assert int(t["obis"]["1-0:1.8.0"][0][0].replace(".", "")) in sent_wh


def test_capture_tool_explains_a_silent_port(tmp_path):
    os.makedirs(tmp_path / "m")
    meter = FakeMeter(tmp_path / "m", rate=1, silent=True)
    try:
        proc = subprocess.run(
            [sys.executable, os.path.join(TOOLS, "capture.py"), meter.link, "--seconds", "2", "--out", str(tmp_path / "c.bin")],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        meter.stop()
    assert "no bytes at all" in proc.stdout and "grid operator" in proc.stdout


def test_deploy_moves_a_flat_install_into_the_slot_layout_and_keeps_the_state(tmp_path):
    """An install from before updates (hanport/, umqtt/, www/ at the root) becomes app_a + app.json;
    what the device keeps (config, setup password, line, effekttariff, hourly ring) is untouched."""
    device = tmp_path / "device"
    kept = {"config.json": b'{"mqtt.host": "10.0.0.2"}', "setup.json": b'{"ap_password": "abcd-efgh-jkmn"}'}
    kept.update({"line.json": b'{"baud": 115200}', "peaks.json": b"{}", "hourly.jsonl": b'{"h": 1}\n', "boot.json": b"{}"})
    for name, data in kept.items():
        (device / name).parent.mkdir(parents=True, exist_ok=True)
        (device / name).write_bytes(data)
    for old in ("hanport/svc/app.mpy", "umqtt/simple.mpy", "www/status.html.gz", "app_b/hanport/__init__.mpy"):
        (device / old).parent.mkdir(parents=True, exist_ok=True)
        (device / old).write_bytes(b"old")
    deploy.deploy("esp32-devkitc", dry_dir=str(device))
    for old in ("hanport", "umqtt", "www", "app_b"):
        assert not (device / old).exists(), old
    for name, data in kept.items():
        assert (device / name).read_bytes() == data, name
    assert (device / "app_a" / "hanport" / "esp32" / "main.mpy").exists() and (device / "main.py").exists()
    assert json.loads((device / "app.json").read_text())["run"] == "app_a"
