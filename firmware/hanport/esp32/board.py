# Board configuration (/board.json, copied from boards/<name>/board.json by the deploy tool):
# which UART and pins the HAN port uses. Validated with clear messages; defaults to a classic
# ESP32 DevKitC on UART2/GPIO16. Imports json only.
import json

DEFAULTS = {
    "name": "esp32-devkitc",
    "uart_id": 2,
    "rx_pin": 16,  # RJ12 pin 5 (data) with a 1-4.7 kOhm pull-up to 3.3 V
    "tx_pin": 17,  # never driven towards the meter (its port is receive-only); only named
    # so the driver does not claim the UART's default pins, which are flash pins on UART1
    "invert": True,  # open-collector data line: inverted unless a transistor inverter is fitted
    "rxbuf": 8192,  # 0.7 s of 115200 baud; covers the longest blocking network call
    "led_pin": -1,
    "button_pin": 0,
    "tx_power_dbm": 0,  # 0: leave the radio default; e.g. 8 to stay within the port's 250 mA
}
_FORBIDDEN_RX = (6, 7, 8, 9, 10, 11)  # classic ESP32 SPI flash pins


def load(path="/board.json"):
    """(board dict, errors list). A missing file means the defaults."""
    board = dict(DEFAULTS)
    errors: list = []
    try:
        with open(path) as f:
            raw = json.load(f)
    except OSError:
        return board, errors
    except ValueError:
        return board, ["%s is not valid JSON; using defaults" % path]
    for key in raw:
        if key not in DEFAULTS:
            errors.append("unknown board setting %r" % key)
            continue
        if type(raw[key]) is not type(DEFAULTS[key]):
            errors.append("board setting %r must be %s" % (key, type(DEFAULTS[key]).__name__))
            continue
        board[key] = raw[key]
    if board["rx_pin"] in _FORBIDDEN_RX:
        errors.append("rx_pin %s is a flash pin" % board["rx_pin"])
        board["rx_pin"] = DEFAULTS["rx_pin"]
    return board, errors
