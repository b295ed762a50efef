# Small JSON files on flash (config, hourly ring, reset causes), written atomically: a temp
# file, then rename over the old one, so a power cut leaves the old or the new file, never half.
# Imports os and json only; the path is injected by the shell.
import json
import os


class JsonStore:
    def __init__(self, path, max_bytes=8192):
        self.path = path
        self.max_bytes = max_bytes  # cap: a corrupt or huge file is refused, not loaded
        self.writes = 0

    def load(self):
        """The stored object, or None when the file is missing, too big or not valid JSON."""
        try:
            with open(self.path) as f:
                text = f.read(self.max_bytes + 1)
        except OSError:
            return None
        if len(text) > self.max_bytes:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def save_text(self, text):
        if len(text) > self.max_bytes:
            raise ValueError("%s: %d bytes over the %d byte cap" % (self.path, len(text), self.max_bytes))
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
        try:
            os.rename(tmp, self.path)  # LittleFS and POSIX replace the old file atomically
        except OSError:
            os.remove(self.path)  # FAT refuses to rename over an existing file
            os.rename(tmp, self.path)
        self.writes += 1
