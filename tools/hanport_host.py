#!/usr/bin/env python3
# Launcher for the firmware on a Linux host (`make run`), the host's main.py: puts the firmware
# tree and umqtt.simple on the path, picks the application folder as the board does (appslot.py:
# A/B updates, trial, rollback) and runs hanport.host.main under whichever runtime started it.
# Usage: micropython tools/hanport_host.py --serial PATH [--config FILE] [--data DIR] [...]
import sys


def _parent(path):
    return path.rsplit("/", 1)[0] if "/" in path else "."


_root = _parent(_parent(sys.argv[0].replace("\\", "/")))
try:
    from os import getenv
except ImportError:
    getenv = None
_built = getenv and getenv("HANPORT_FIRMWARE")  # a tree of .mpy files built by mpy-cross, as on the device
_argv = sys.argv[1:]
sys.path.insert(0, _root + "/.venv/mplib")  # umqtt.simple from PyPI (make mplib)
sys.path.insert(0, _built or _root + "/firmware")
if sys.implementation.name != "micropython":
    sys.path.insert(0, _root + "/tools/cpython_shims")  # usocket/ustruct/ubinascii for umqtt
_slot = None
if _built and sys.implementation.name == "micropython":
    # The .mpy build is updated like a board: the data folder holds app.json and the app_a /
    # app_b folders; without a pointer the build tree runs (a board's flat install).
    sys.path.insert(0, _root + "/tools")
    from hostboot import pick

    _folder, _slot = pick(_argv, getenv)
    del pick
    sys.modules.pop("hostboot", None)
    sys.path.pop(0)
    if _folder:
        sys.path.insert(0, _folder)
        _built = _folder

from hanport.host.main import main  # noqa: E402

if "--www" not in _argv:  # pages: beside the firmware tree that is running
    _argv += ["--www", (_built or _root + "/firmware") + "/www"]
try:
    main(_argv, _slot)
except Exception as e:  # a version on trial that fails to start goes back at the next start
    sys.path.insert(0, _root + "/tools")
    from hostboot import failed

    failed(_slot, e)
    raise
