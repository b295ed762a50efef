# CPython stand-in for MicroPython's usocket, so umqtt.simple imports on CPython; hanport
# replaces umqtt's `socket` with its own network port anyway (firmware/hanport/netport.py).
from socket import *  # noqa: F401,F403
