# The meter's serial line on the ESP32: machine.UART at 115200 8N1 with the RX signal inverted
# in hardware (the HAN port's data line is open collector, active low) unless the board has a
# transistor inverter; configure() switches speed, parity and inversion for the format search.
# Receive only; readinto never blocks. Imports machine (ESP32 shell only).
from machine import UART, Pin


def _line(board, baud, parity, flip):
    """UART settings for a line of the format search; flip = 1: the opposite of the board's
    inversion (a meter or adapter that differs)."""
    return {
        "baudrate": baud,
        "bits": 8,
        "parity": 0 if parity == "E" else None,  # 0: even, 1: odd, None: none
        "stop": 1,
        "rx": board["rx_pin"],
        "tx": board["tx_pin"],
        "rxbuf": board["rxbuf"],
        "timeout": 0,
        "invert": UART.INV_RX if bool(board["invert"]) != bool(flip) else 0,
    }


class UartSource:
    def __init__(self, board):
        if board["data_request_pin"] >= 0:
            # RJ12 pin 2 switched through a transistor to +5 V: high = "send telegrams"
            self.request = Pin(board["data_request_pin"], Pin.OUT, value=1)
        self.board = board
        self.uart = UART(board["uart_id"], **_line(board, 115200, "N", 0))

    def readinto(self, buf):
        n = self.uart.readinto(buf)  # None when nothing is waiting (timeout=0)
        return n or 0

    def configure(self, baud, parity, flip):
        self.uart.init(**_line(self.board, baud, parity, flip))
