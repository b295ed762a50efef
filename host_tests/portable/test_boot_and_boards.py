# Boot safety and board rules on both runtimes: the crash-loop guard with a fake reset-cause
# source and a fake clock, and board.json validation (keys, types, the chips' pins to avoid).
from hanport.core.boards import CHIPS, fallback, validate
from hanport.svc.bootguard import HEALTHY_AFTER_MS, BootGuard
from hanport.svc.store import JsonStore
from support import tmpdir


class Clock:
    def __init__(self):
        self.ms = 0

    def __call__(self):
        return self.ms


def test_crash_loop_starts_safe_mode_and_a_healthy_boot_clears_it():
    store = JsonStore(tmpdir("boot") + "/boot.json", 1024)
    clock = Clock()
    # Two boots that die early: still normal mode.
    assert not BootGuard(store, "power_on", clock).safe_mode
    assert not BootGuard(store, "watchdog", clock).safe_mode
    # The third in a row: safe mode, and the count starts again.
    third = BootGuard(store, "hard_reset", clock)
    assert third.safe_mode and third.report()["reset_causes"] == ["power_on", "watchdog", "hard_reset"]
    assert not BootGuard(store, "soft_reset", clock).safe_mode  # after safe mode, normal is tried again
    # A boot that runs 60 s is healthy: the count is cleared, so two more early deaths are fine.
    healthy = BootGuard(store, "power_on", clock)
    clock.ms = HEALTHY_AFTER_MS - 1
    assert not healthy.check()
    clock.ms = HEALTHY_AFTER_MS
    assert healthy.check() and store.load()["unhealthy_boots"] == 0
    clock.ms = 0
    assert not BootGuard(store, "watchdog", clock).safe_mode
    assert not BootGuard(store, "watchdog", clock).safe_mode
    assert BootGuard(store, "watchdog", clock).safe_mode
    # The cause history is bounded; a broken file never stops the boot.
    for _ in range(20):
        BootGuard(store, "power_on", clock)
    assert len(store.load()["reset_causes"]) == 8
    store.save_text("{broken")
    guard = BootGuard(store, "power_on", clock)
    assert not guard.safe_mode and guard.report()["reset_causes"] == ["power_on"]
    store.save_text('{"unhealthy_boots": "x", "reset_causes": 5}')
    assert not BootGuard(store, "power_on", clock).safe_mode


def test_board_rules():
    good = {"name": "x", "chip": "esp32c3", "uart_id": 1, "rx_pin": 3, "tx_pin": 4, "led_pin": 8, "button_pin": 9}
    board, errors = validate(good)
    assert errors == [] and board["rx_pin"] == 3 and board["invert"] is True
    cases = [
        ({"chip": "esp32", "rx_pin": 7}, "SPI flash"),  # classic ESP32 flash pin
        ({"chip": "esp32", "rx_pin": 12}, "strapping"),  # flash voltage strapping pin
        ({"chip": "esp32", "rx_pin": 1}, "REPL"),
        ({"chip": "esp32", "uart_id": 0}, "UART0"),
        ({"chip": "esp32", "tx_pin": 34}, "input-only"),
        ({"chip": "esp32c3", "uart_id": 1, "rx_pin": 20, "tx_pin": 4}, "REPL"),  # the C3's UART0
        ({"chip": "esp32c3", "uart_id": 1, "rx_pin": 9, "tx_pin": 4}, "strapping"),
        ({"chip": "esp32c3", "uart_id": 1, "rx_pin": 18, "tx_pin": 4}, "USB"),
        ({"chip": "esp32c3", "uart_id": 1, "rx_pin": 25, "tx_pin": 4}, "GPIO0-21"),
        ({"chip": "esp32s3", "uart_id": 1, "rx_pin": 35, "tx_pin": 17}, "PSRAM"),
        ({"chip": "esp32s2", "uart_id": 1, "rx_pin": 46, "tx_pin": 17}, "strapping"),
        ({"chip": "esp8266"}, "chip"),
        ({"rx_pin": "16"}, "must be int"),
        ({"invert": 1}, "must be bool"),
        ({"rx_pin": 16, "tx_pin": 16}, "differ"),
        ({"rxbuf": 100}, "rxbuf"),
        ({"tx_power_dbm": 30}, "tx_power_dbm"),
        ({"colour": "red"}, "unknown"),
    ]
    for raw, words in cases:
        _, errors = validate(raw)
        assert errors and words in " ".join(errors), (raw, errors)
    assert validate([1])[1] == ["board.json must be a JSON object"]
    for chip in CHIPS:
        assert validate(fallback(chip))[1] == []  # the fallback wiring obeys the rules itself
