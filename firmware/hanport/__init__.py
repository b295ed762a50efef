# hanport: MicroPython firmware that reads a Swedish HAN/P1 meter port and publishes readings.
# Its own modules are the runtime ports both shells share (ticks: the clock compat, netport + tls,
# aes, unload). Imports nothing, so `import hanport.core...` stays hardware-free.
VERSION = "0.1.0"
