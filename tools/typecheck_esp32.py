#!/usr/bin/env python3
# Type-checks the ESP32-only code (firmware/hanport/esp32, main.py, boot.py) with mypy against
# the official MicroPython ESP32 stubs (PyPI micropython-esp32-stubs, installed by make into
# .venv/esp32-typings). Errors inside the stubs themselves are not ours and are left out.
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPINGS = os.path.join(ROOT, ".venv", "esp32-typings")
TARGETS = ["firmware/hanport/esp32", "firmware/main.py", "firmware/boot.py"]


def main():
    if not os.path.exists(os.path.join(TYPINGS, "machine.pyi")):
        sys.exit("ESP32 stubs missing at %s (run make lint or make test)" % TYPINGS)
    env = dict(os.environ, MYPYPATH=TYPINGS + os.pathsep + os.path.join(ROOT, "firmware"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--python-version",
            "3.11",
            "--no-error-summary",
            "--follow-imports=silent",
            "--check-untyped-defs",
            *TARGETS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    ours = [line for line in proc.stdout.splitlines() if line.startswith("firmware/")]
    for line in ours:
        print(line)
    if proc.returncode not in (0, 1) or "import-not-found" in proc.stdout:
        print(proc.stdout + proc.stderr)
        return 2
    print("esp32 type check: %d error(s) in %s" % (len(ours), ", ".join(TARGETS)))
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
