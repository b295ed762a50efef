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
            size = os.stat(self.path)[6]
            if size > self.max_bytes:
                return None
            with open(self.path) as f:
                text = f.read(size)
        except OSError:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def load_lines(self):
        """JSON Lines file -> list of objects ([] when missing); bad lines are skipped."""
        out = []
        try:
            if os.stat(self.path)[6] > self.max_bytes:
                return out
            with open(self.path) as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
        except OSError:
            pass
        return out

    def save_lines(self, lines):
        """Write an iterable of JSON texts, one per line, atomically and without building the
        whole file in memory."""
        tmp = self.path + ".tmp"
        size = 0
        with open(tmp, "w") as f:
            for line in lines:
                size += len(line) + 1
                if size > self.max_bytes:
                    raise ValueError("%s: over the %d byte cap" % (self.path, self.max_bytes))
                f.write(line)
                f.write("\n")
        self._replace(tmp)

    def _replace(self, tmp):
        try:
            os.rename(tmp, self.path)  # LittleFS and POSIX replace the old file atomically
        except OSError:
            os.remove(self.path)  # FAT refuses to rename over an existing file
            os.rename(tmp, self.path)
        self.writes += 1

    def save_text(self, text):
        if len(text) > self.max_bytes:
            raise ValueError("%s: %d bytes over the %d byte cap" % (self.path, len(text), self.max_bytes))
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        self._replace(tmp)
