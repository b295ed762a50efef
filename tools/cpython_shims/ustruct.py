# CPython stand-in for MicroPython's ustruct (used by umqtt.simple).
# Re-exports the standard struct module.
from struct import *  # noqa: F401,F403
