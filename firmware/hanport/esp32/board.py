# Board configuration on the device: /board.json (copied from boards/<name>/board.json by the
# deploy tool), checked against core/boards.py (keys, types, and the chip's pins to avoid).
# A missing file means a classic ESP32 DevKitC on UART2/GPIO16; the rules are unloaded after.
# Imports json only.
import json


def load(path="/board.json"):
    """(board dict, errors list). With errors the chip's reference wiring is used. The pin
    rules (core/boards.py, ~5.5 KB of heap) are needed only now, and unloaded again."""
    from hanport.unload import forget

    try:
        return _load(path)
    finally:
        forget(("hanport.core.boards",))


def _load(path):
    from hanport.core.boards import defaults, fallback, validate

    try:
        with open(path) as f:
            raw = json.load(f)
    except OSError:
        return defaults(), []
    except ValueError:
        return defaults(), ["%s is not valid JSON; using defaults" % path]
    board, errors = validate(raw)
    if errors:
        return fallback(board["chip"]), errors
    return board, errors
