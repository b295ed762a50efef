# Host shell: runs the firmware's services on Linux under the MicroPython unix port or
# CPython, with a tty/pty or a capture file as the meter, host sockets, no Wi-Fi.
