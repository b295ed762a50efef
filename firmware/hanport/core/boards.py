# Board configuration rules (board.json): the keys, and per chip which GPIOs must never carry the
# meter's data line (SPI flash/PSRAM, strapping pins that decide the boot mode, native USB, the
# REPL UART), plus the mpy-cross architecture and esptool flash offset of each chip. Used by the
# ESP32 shell at boot and by the build/deploy tools. Pure core: no machine/network/socket/time.


def _avoid(*groups):
    """{gpio: why} from (gpios, why) pairs."""
    out = {}
    for pins, why in groups:
        for pin in pins:
            out[pin] = why
    return out


_FLASH_S2_S3 = (tuple(range(26, 33)), "SPI flash/PSRAM")
_USB_19_20 = ((19, 20), "native USB (REPL, mpremote)")
_UART0_43_44 = ((43, 44), "REPL UART0")

# Sources: Espressif datasheets, "Strapping Pins" and "Pin Overview" chapters of ESP32, ESP32-C3,
# ESP32-S2 and ESP32-S3; MicroPython's download page for the flash offsets. "reference": uart_id,
# rx_pin, tx_pin of the board in boards/ for this chip.
CHIPS = {
    "esp32": {
        "reference": (2, 16, 17),
        "arch": "xtensawin",
        "flash_offset": 0x1000,
        "uarts": (1, 2),  # UART0 is the REPL on GPIO1/3
        "max_gpio": 39,
        "input_only": (34, 35, 36, 37, 38, 39),
        "avoid": _avoid(
            (tuple(range(6, 12)), "SPI flash"),
            ((0, 2), "strapping (boot mode)"),
            ((5,), "strapping (SDIO timing)"),
            ((12,), "strapping (flash voltage)"),
            ((15,), "strapping (boot log)"),
            ((1, 3), "REPL UART0"),
        ),
    },
    "esp32c3": {
        "reference": (1, 3, 4),
        "arch": "rv32imc",
        "flash_offset": 0x0,
        "uarts": (1,),
        "max_gpio": 21,
        "input_only": (),
        "avoid": _avoid(
            (tuple(range(11, 18)), "SPI flash"),
            ((2, 8, 9), "strapping (boot mode)"),
            ((18, 19), "native USB (REPL, mpremote)"),
            ((20, 21), "REPL UART0"),
        ),
    },
    "esp32s2": {
        "reference": (1, 18, 17),
        "arch": "xtensawin",
        "flash_offset": 0x1000,
        "uarts": (1,),
        "max_gpio": 46,
        "input_only": (46,),
        "avoid": _avoid(
            _FLASH_S2_S3, ((0, 46), "strapping (boot mode)"), ((45,), "strapping (flash voltage)"), _USB_19_20, _UART0_43_44
        ),
    },
    "esp32s3": {
        "reference": (1, 18, 17),
        "arch": "xtensawin",
        "flash_offset": 0x0,
        "uarts": (1, 2),
        "max_gpio": 48,
        "input_only": (),
        "avoid": _avoid(
            _FLASH_S2_S3,
            ((33, 34, 35, 36, 37), "octal PSRAM (N8R8/N16R8 modules)"),
            ((0, 46), "strapping (boot mode)"),
            ((3,), "strapping (JTAG)"),
            ((45,), "strapping (flash voltage)"),
            _USB_19_20,
            _UART0_43_44,
        ),
    },
}

# key: (type, default). Pins: -1 = not fitted.
SCHEMA = {
    "name": ("str", "esp32-devkitc"),
    "chip": ("str", "esp32"),
    "uart_id": ("int", 2),
    "rx_pin": ("int", 16),  # RJ12 pin 5 (data), pull-up 1-4.7 kOhm to 3.3 V
    "tx_pin": ("int", 17),  # never driven towards the meter; named so the UART does not claim
    # its default pins (flash pins for UART1 on the classic ESP32)
    "invert": ("bool", True),  # open collector, active low: invert in the UART unless a transistor does
    "data_request_pin": ("int", -1),  # -1: RJ12 pin 2 tied to pin 1 (+5 V); else a GPIO switching it
    "rxbuf": ("int", 8192),  # 0.7 s of 115200 baud: covers the longest blocking network call
    "led_pin": ("int", -1),
    "button_pin": ("int", 0),  # held at boot: setup mode (BOOT button on most boards)
    "tx_power_dbm": ("int", 0),  # 0: radio default; e.g. 8 keeps a classic ESP32 near the port's 250 mA
    # What the heap allows (make mem, docs/memory.md): boards without PSRAM set web_server false
    # and a 2,048-byte telegram cap (Swedish telegrams: ~0.7 KB; Dutch/Belgian: <= 1.1 KB).
    "web_server": ("bool", True),  # status page + API on port 80 in normal mode
    "telegram_cap": ("int", 6144),  # longest ASCII telegram kept (Hungarian Sanxing SX631: 4,395)
}

# Only these may be the boot button (a strapping pin, but one the user presses after boot).
_BUTTON_OK = {"esp32": (0,), "esp32c3": (9,), "esp32s2": (0,), "esp32s3": (0,)}


def defaults():
    return {key: SCHEMA[key][1] for key in SCHEMA}


def fallback(chip_name):
    """The chip's reference wiring: used when board.json breaks a rule (a strapping pin can stop
    the boot, a flash pin crash it), rather than half-applying the file."""
    board = defaults()
    chip = CHIPS.get(chip_name, CHIPS["esp32"])
    board["chip"] = chip_name if chip_name in CHIPS else "esp32"
    board["name"] = "reference-" + board["chip"]
    board["uart_id"], board["rx_pin"], board["tx_pin"] = chip["reference"]
    board["button_pin"] = _BUTTON_OK[board["chip"]][0]
    return board


def validate(raw):
    """(board dict, errors list). Every error names the key; a bad value keeps the default."""
    board = defaults()
    errors = []
    if not isinstance(raw, dict):
        return board, ["board.json must be a JSON object"]
    for key in raw:
        if key not in SCHEMA:
            errors.append("unknown board setting %r" % key)
            continue
        kind = SCHEMA[key][0]
        value = raw[key]
        ok = (
            (kind == "bool" and (value is True or value is False))
            or (kind == "int" and isinstance(value, int) and not isinstance(value, bool))
            or (kind == "str" and isinstance(value, str))
        )
        if not ok:
            errors.append("board setting %r must be %s" % (key, kind))
            continue
        board[key] = value
    chip = CHIPS.get(board["chip"])
    if chip is None:
        errors.append("chip %r is not one of %s" % (board["chip"], ", ".join(sorted(CHIPS))))
        board["chip"] = "esp32"
        chip = CHIPS["esp32"]
    if board["uart_id"] not in chip["uarts"]:
        errors.append("uart_id %d: use %s on %s (UART0 is the REPL)" % (board["uart_id"], chip["uarts"], board["chip"]))
    for key in ("rx_pin", "tx_pin", "data_request_pin", "led_pin", "button_pin"):
        pin = board[key]
        if pin == -1 and key not in ("rx_pin", "tx_pin"):
            continue
        if not 0 <= pin <= chip["max_gpio"]:
            errors.append("%s %d: %s has GPIO0-%d" % (key, pin, board["chip"], chip["max_gpio"]))
            continue
        if key == "button_pin" and pin in _BUTTON_OK[board["chip"]]:
            continue
        if key == "led_pin" and pin in (2, 8, 15) and pin in chip["avoid"] and "strapping" in chip["avoid"][pin]:
            continue  # on-board LEDs sit on some strapping pins; an output there is harmless after boot
        if pin in chip["avoid"]:
            errors.append("%s %d is a pin to avoid on %s: %s" % (key, pin, board["chip"], chip["avoid"][pin]))
        elif key in ("tx_pin", "data_request_pin", "led_pin") and pin in chip["input_only"]:
            errors.append("%s %d is input-only on %s" % (key, pin, board["chip"]))
    if len(set(board[k] for k in ("rx_pin", "tx_pin"))) < 2:
        errors.append("rx_pin and tx_pin must differ")
    if not 1024 <= board["rxbuf"] <= 16384:
        errors.append("rxbuf must be 1024-16384 bytes")
    if not 1024 <= board["telegram_cap"] <= 16384:
        errors.append("telegram_cap must be 1024-16384 bytes")
    if board["tx_power_dbm"] and not 2 <= board["tx_power_dbm"] <= 20:
        errors.append("tx_power_dbm must be 0 (default) or 2-20")
    return board, errors
