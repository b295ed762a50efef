# CPython stand-in for MicroPython's ubinascii (used by umqtt.simple).
# Re-exports the standard binascii module.
from binascii import *  # noqa: F401,F403
