# Board configuration on the device: /board.json (copied from boards/<name>/board.json by the
# deploy tool), checked against core/boards.py (keys, types, and the chip's pins to avoid).
# A missing file means a classic ESP32 DevKitC on UART2/GPIO16. Imports json only.
import json

from hanport.core.boards import defaults, fallback, validate


def load(path="/board.json"):
    """(board dict, errors list). With errors the chip's reference wiring is used."""
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
