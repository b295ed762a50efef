# Shared by the stream tools (p1decode.py, peaks.py), on CPython and the MicroPython unix port:
# puts firmware/ on the import path, and reads a raw capture (file, or "-" for stdin) in chunks.
import sys


def add_firmware_to_path():
    here = sys.argv[0].replace("\\", "/")
    tools = here.rsplit("/", 1)[0] if "/" in here else "."
    sys.path.insert(0, tools + "/../firmware")


def chunks(path, size=4096):
    """The bytes of the capture, `size` at a time; the file is closed at the end."""
    src = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        while True:
            chunk = src.read(size)
            if not chunk:
                return
            yield chunk
    finally:
        if src is not sys.stdin.buffer:
            src.close()
