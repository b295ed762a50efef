#!/usr/bin/env python3
# Launcher for the firmware on a Linux host (`make run`): puts firmware/ and the host copy of
# umqtt.simple on the path, then runs hanport.host.main under whichever runtime started it.
# Usage: micropython tools/hanport_host.py --serial PATH [--config FILE] [--data DIR]
import sys


def _parent(path):
    return path.rsplit("/", 1)[0] if "/" in path else "."


_root = _parent(_parent(sys.argv[0].replace("\\", "/")))
try:
    from os import getenv
except ImportError:
    getenv = None
sys.path.insert(0, _root + "/.venv/mplib")  # umqtt.simple from PyPI (make mplib)
# HANPORT_FIRMWARE: a tree of .mpy files built by mpy-cross (umqtt too), as on the device
sys.path.insert(0, (getenv and getenv("HANPORT_FIRMWARE")) or _root + "/firmware")
if sys.implementation.name != "micropython":
    sys.path.insert(0, _root + "/tools/cpython_shims")  # usocket/ustruct/ubinascii for umqtt

from hanport.host.main import main  # noqa: E402

_argv = sys.argv[1:]
if "--www" not in _argv:  # pages: beside the firmware tree that is running
    _argv += ["--www", ((getenv and getenv("HANPORT_FIRMWARE")) or _root + "/firmware") + "/www"]
main(_argv)
