#!/usr/bin/env python3
# Draws boards/<name>/wiring.svg from boards/<name>/board.json: RJ12 plug on the left, the board's
# pins on the right, the pull-up resistor, the data-request jumper and the optional power wire.
# Deterministic; `make wiring` rewrites them and a test checks they match the board files.
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What each board calls its 5 V input pin (silk screen).
FIVE_VOLT = {"esp32-devkitc": "5V", "esp32-c3-supermini": "5V", "esp32-s2-mini": "VBUS", "esp32-s3-devkitc": "5V0"}
RJ12 = [
    (1, "+5 V (some meters)"),
    (2, "data request"),
    (3, "data GND"),
    (4, "not used"),
    (5, "data (open collector)"),
    (6, "power GND"),
]


def svg(name, board):
    rx = "GPIO%d (RX)" % board["rx_pin"]
    five = FIVE_VOLT.get(name, "5V")
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 420" font-family="sans-serif" font-size="15">',
        "<title>%s: HAN port (RJ12) wiring</title>" % name,
        '<rect width="640" height="420" fill="#fff"/>',
        '<text x="20" y="28" font-size="19" font-weight="bold">%s &#8594; meter HAN port (RJ12)</text>' % name,
        '<rect x="20" y="50" width="220" height="300" rx="10" fill="#f6f8fa" stroke="#57606a" stroke-width="2"/>',
        '<text x="30" y="72" font-weight="bold">RJ12 plug (meter side)</text>',
    ]
    y = {}
    for i, (pin, label) in enumerate(RJ12):
        y[pin] = 100 + i * 45
        out.append('<circle cx="225" cy="%d" r="7" fill="#24292f"/>' % y[pin])
        out.append('<text x="30" y="%d"><tspan font-weight="bold">%d</tspan> %s</text>' % (y[pin] + 5, pin, label))
    out.append('<rect x="430" y="50" width="190" height="300" rx="10" fill="#ddf4ff" stroke="#0969da" stroke-width="2"/>')
    out.append('<text x="440" y="72" font-weight="bold">%s</text>' % name)
    pins = {"3V3": 110, rx: 200, "GND": 290, five: 335}
    for label, py in pins.items():
        out.append('<circle cx="445" cy="%d" r="7" fill="#0969da"/>' % py)
        out.append('<text x="460" y="%d">%s</text>' % (py + 5, label))
    wire = '<path d="%s" fill="none" stroke="%s" stroke-width="3"%s/>'
    # pin 5 -> RX, with the pull-up from RX to 3V3
    out.append(wire % ("M225 %d H330 V200 H445" % y[5], "#cf222e", ""))
    out.append(wire % ("M380 200 V175", "#57606a", ""))
    out.append('<rect x="370" y="135" width="20" height="40" fill="#fff" stroke="#57606a" stroke-width="2"/>')
    out.append('<text x="300" y="150" font-size="13">2.2 k&#937;</text><text x="300" y="166" font-size="13">pull-up</text>')
    out.append(wire % ("M380 135 V110 H445", "#57606a", ""))
    # pins 3 and 6 -> GND
    out.append(wire % ("M225 %d H300 V%d H225" % (y[3], y[6]), "#24292f", ""))
    out.append(wire % ("M300 290 H445", "#24292f", ""))
    # pin 2 -> pin 1 jumper: data request held high
    out.append(wire % ("M225 %d H270 V%d H225" % (y[2], y[1]), "#1a7f37", ""))
    out.append('<text x="275" y="%d" font-size="13" fill="#1a7f37">jumper 1-2</text>' % ((y[1] + y[2]) // 2 + 5))
    # optional power from the meter
    out.append(wire % ("M225 %d H250 V40 H410 V335 H445" % y[1], "#bc4c00", ' stroke-dasharray="8 6"'))
    out.append('<text x="20" y="375" font-size="13" fill="#bc4c00">dashed: power from the meter, only if it</text>')
    out.append('<text x="20" y="393" font-size="13" fill="#bc4c00">supplies +5 V (max 250 mA: see the power budget)</text>')
    inv = "UART invert on (software)" if board["invert"] else "transistor inverter fitted: software invert OFF"
    out.append('<text x="440" y="375" font-size="13">UART%d, 115200 8N1</text>' % board["uart_id"])
    out.append('<text x="440" y="393" font-size="13">%s</text>' % inv)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def boards():
    folder = os.path.join(ROOT, "boards")
    return sorted(n for n in os.listdir(folder) if os.path.exists(os.path.join(folder, n, "board.json")))


def main():
    for name in boards():
        with open(os.path.join(ROOT, "boards", name, "board.json")) as f:
            board = json.load(f)
        with open(os.path.join(ROOT, "boards", name, "wiring.svg"), "w") as f:
            f.write(svg(name, board))
        print("boards/%s/wiring.svg" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
