# Runs under the MicroPython unix port: saves a config with svc/store.py and SIGKILLs this very
# process at a chosen step of the save, to prove a power cut leaves the old or the new file.
# Usage: micropython kill_save.py FIRMWARE_DIR CONFIG_PATH NEW_TEXT_FILE STEP
#   STEP: 0 after the temp file is created, 1 halfway through writing, 2 after writing (before
#   close), 3 after close (before rename), 4 right after rename, -1 no kill.
import os
import sys

sys.path.insert(0, sys.argv[1])
from hanport.svc import store as store_module  # noqa: E402

_real_open = open
_real_rename = os.rename
STEP = int(sys.argv[4])


def _die(at):
    if at == STEP:
        pid = _real_open("/proc/self/stat").read().split()[0]
        os.system("kill -9 " + pid)  # no cleanup, no flush, no finally: like pulling the plug
        while True:
            pass


class _File:
    def __init__(self, f):
        self.f = f

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _die(2)
        self.f.close()
        _die(3)

    def write(self, text):
        half = len(text) // 2
        self.f.write(text[:half])
        _die(1)
        self.f.write(text[half:])
        return len(text)


def _open(path, mode="r"):
    f = _real_open(path, mode)
    if "w" in mode:
        _die(0)
        return _File(f)
    return f


class _Os:
    def __getattr__(self, name):
        return getattr(os, name)

    def rename(self, a, b):
        _real_rename(a, b)
        _die(4)


store_module.open = _open  # the module's global name shadows the builtin
store_module.os = _Os()
with _real_open(sys.argv[3]) as f:
    text = f.read()
store_module.JsonStore(sys.argv[2]).save_text(text)
print("saved")
