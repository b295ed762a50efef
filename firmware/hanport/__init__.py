# hanport: MicroPython firmware that reads a Swedish HAN/P1 meter port and publishes readings.
# Package root only: imports nothing, so `import hanport.core...` stays hardware-free.
VERSION = "0.1.0"
