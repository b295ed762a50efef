#!/usr/bin/env python3
# Puts hanport on a board: `flash` writes the official MicroPython image with esptool at the
# chip's offset; `deploy` builds build/<board>/, checks the device's MicroPython version and
# chip, copies the tree (with the pinned umqtt.simple the tests run) with mpremote, and prints
# the setup network's name and password. --dry-run DIR writes the device's files into DIR instead.
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
import build as builder  # noqa: E402
from hanport.core.boards import CHIPS  # noqa: E402
from hanport.core.lan.portal import ap_password, ap_ssid  # noqa: E402

BIN = os.path.dirname(sys.executable)
SUPPORTED = ((1, 26), (1, 28))  # tested on 1.28 (unix port); 1.26 added what asyncio/deflate need
DOWNLOAD = "https://micropython.org/download/ (ESP32_GENERIC, ESP32_GENERIC_C3, ESP32_GENERIC_S2, ESP32_GENERIC_S3)"
_UNAME_CHIP = {"esp32": "ESP32 ", "esp32c3": "ESP32C3", "esp32s2": "ESP32S2", "esp32s3": "ESP32S3"}


def _run(cmd, dry, check=True):
    print("$ " + " ".join(cmd))
    if dry:
        return ""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if check and proc.returncode:
        raise SystemExit("failed (%d): %s" % (proc.returncode, (proc.stderr or proc.stdout).strip()))
    return proc.stdout if proc.returncode == 0 else None


def flash_commands(chip, port, firmware):
    esptool = os.path.join(BIN, "esptool")
    offset = "0x%x" % CHIPS[chip]["flash_offset"]
    return [
        [esptool, "--chip", chip, "--port", port, "erase-flash"],
        [esptool, "--chip", chip, "--port", port, "--baud", "460800", "write-flash", "-z", offset, firmware],
    ]


def flash(board_name, port, firmware, dry):
    board, _ = builder.board_config(board_name)
    if not os.path.exists(firmware):
        raise SystemExit("no firmware file %s; download it from %s" % (firmware, DOWNLOAD))
    with open(firmware, "rb") as f:
        if f.read(1) != b"\xe9":  # every ESP32 application/bootloader image starts with 0xE9
            raise SystemExit("%s is not an ESP32 image (.bin from the MicroPython download page)" % firmware)
    for cmd in flash_commands(board["chip"], port, firmware):
        _run(cmd, dry)


def check_version(text):
    """'(1, 28, 0, '')' or '1.28.0' -> (ok, message)."""
    digits = [
        int(p) for p in text.replace("(", " ").replace(")", " ").replace(",", " ").replace(".", " ").split()[:2] if p.isdigit()
    ]
    if len(digits) < 2:
        return False, "could not read the MicroPython version from %r" % text
    version = tuple(digits)
    if version < SUPPORTED[0]:
        return False, "MicroPython %d.%d is too old: flash %d.%d or newer (make flash)" % (version + SUPPORTED[0])
    if version > SUPPORTED[1]:
        return True, "MicroPython %d.%d is newer than tested (%d.%d): should work; report problems" % (version + SUPPORTED[1])
    return True, "MicroPython %d.%d: supported" % version


def device_files(out):
    found = []
    for folder, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names):
            found.append(os.path.relpath(os.path.join(folder, name), out))
    return found


# The device's layout (docs/updates.md): the files that pick the application folder and the
# wiring at the root, the application (hanport/, umqtt/, www/) in app_a, and the pointer. A flat
# install from before (hanport/ etc. at the root) and any other slot are removed: deploy by cable
# is a fresh start of the A/B pair; config, setup password and stored state stay.
ROOT_FILES = ("main.py", "boot.py", "appslot.mpy", "board.json")
SLOT = "app_a"
OLD_LAYOUT = ("hanport", "umqtt", "www", "app_b", "app_new", "app.json.tmp")


def layout(out):
    """[(path in the build tree, path on the device)] in the order they are written."""
    files = device_files(out)
    return [(f, SLOT + "/" + f) for f in files if f not in ROOT_FILES] + [(f, f) for f in ROOT_FILES if f in files]


def pointer_text():
    from hanport import VERSION

    return json.dumps({"run": SLOT, "version": VERSION, "state": "good"})


def _setup_password(existing):
    if existing:
        try:
            pw = json.loads(existing).get("ap_password")
            if isinstance(pw, str) and 8 <= len(pw) <= 63:
                return pw, False
        except ValueError:
            pass
    return ap_password(os.urandom(32)), True


def deploy(board_name, port=None, dry_dir=None):
    board, _ = builder.board_config(board_name)
    out, files = builder.build(board_name)
    builder.report(board_name, out, files)
    if dry_dir:
        return _deploy_to_folder(out, dry_dir)
    mp = [os.path.join(BIN, "mpremote"), "connect", port]
    info = _run(mp + ["exec", "import sys, os; print(sys.implementation.version); print(os.uname().machine)"], False)
    lines = info.strip().splitlines()
    ok, message = check_version(lines[0] if lines else "")
    print(message)
    if not ok:
        raise SystemExit(1)
    machine = lines[1] if len(lines) > 1 else ""
    if _UNAME_CHIP[board["chip"]].strip() not in machine.replace("-", "") or (board["chip"] == "esp32" and "ESP32C" in machine):
        raise SystemExit("the device says %r, but board %s is a %s" % (machine, board_name, board["chip"]))
    # The application folder first (the old one keeps running until main.py changes), then the
    # pointer, then the root files; last, the flat install of older versions goes. umqtt/simple.mpy
    # in the application folder comes before /lib on sys.path: an older mip copy is not used.
    _run(mp + ["fs", "rm", "-r", ":" + SLOT], False, check=False)
    _run(mp + ["fs", "mkdir", ":" + SLOT], False)
    apps = [os.path.join(out, name) for name in sorted(os.listdir(out)) if name not in ROOT_FILES]
    _run(mp + ["fs", "cp", "-r"] + apps + [":" + SLOT + "/"], False)
    tmp = os.path.join(out, "..", "app.json")
    with open(tmp, "w") as f:
        f.write(pointer_text())
    _run(mp + ["fs", "cp", tmp, ":app.json"], False)
    os.remove(tmp)
    _run(mp + ["fs", "cp"] + [os.path.join(out, name) for name in ROOT_FILES] + [":"], False)
    for name in OLD_LAYOUT:
        _run(mp + ["fs", "rm", "-r", ":" + name], False, check=False)
    existing = _run(mp + ["fs", "cat", ":setup.json"], False, check=False)
    password, new = _setup_password(existing)
    if new:
        tmp = os.path.join(out, "..", "setup.json")
        with open(tmp, "w") as f:
            json.dump({"ap_password": password}, f)
        _run(mp + ["fs", "cp", tmp, ":setup.json"], False)
        os.remove(tmp)
    mac = _run(mp + ["exec", "import network; print(network.WLAN(network.STA_IF).config('mac').hex())"], False).strip()
    ssid = ap_ssid(bytes.fromhex(mac)) if len(mac) == 12 else "hanport-XXXX"
    _run(mp + ["reset"], False)
    _print_label(ssid, password)
    return ssid, password


def _deploy_to_folder(out, folder):
    os.makedirs(folder, exist_ok=True)
    import shutil

    shutil.rmtree(os.path.join(folder, SLOT), ignore_errors=True)
    for name, on_device in layout(out):
        target = os.path.join(folder, on_device)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(out, name), target)
    with open(os.path.join(folder, "app.json"), "w") as f:
        f.write(pointer_text())
    for name in OLD_LAYOUT:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    existing = None
    if os.path.exists(os.path.join(folder, "setup.json")):
        with open(os.path.join(folder, "setup.json")) as f:
            existing = f.read()
    password, new = _setup_password(existing)
    if new:
        with open(os.path.join(folder, "setup.json"), "w") as f:
            json.dump({"ap_password": password}, f)
    print("dry run: %d files written to %s (as they would be on the device)" % (len(device_files(out)), folder))
    print("would run: mpremote connect PORT fs cp -r ... :, reset")
    _print_label("hanport-XXXX (last MAC bytes; printed when deploying to a board)", password)
    return None, password


def _print_label(ssid, password):
    print("")
    print("  setup network: %s" % ssid)
    print("  password:      %s" % password)
    print("  then open:     http://192.168.4.1/")
    print("")
    print("Write these on the dongle's label: the password is this device's own.")


def main(argv):
    usage = (
        "usage: deploy.py flash BOARD PORT FIRMWARE.bin [--dry-run]\n"
        "       deploy.py deploy BOARD (PORT | --dry-run DIR)\n"
        "       deploy.py console PORT"
    )
    if len(argv) < 2:
        raise SystemExit(usage)
    if argv[0] == "flash" and len(argv) >= 4:
        flash(argv[1], argv[2], argv[3], "--dry-run" in argv)
    elif argv[0] == "deploy" and len(argv) == 4 and argv[2] == "--dry-run":
        deploy(argv[1], dry_dir=argv[3])
    elif argv[0] == "deploy" and len(argv) == 3:
        deploy(argv[1], port=argv[2])
    elif argv[0] == "console":
        os.execv(os.path.join(BIN, "mpremote"), ["mpremote", "connect", argv[1], "repl"])
    else:
        raise SystemExit(usage)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
