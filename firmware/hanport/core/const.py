# `const` for both runtimes: MicroPython's compiler folds `_NAME = const(n)` by name, so
# importing it from here keeps the folding on the device and gives CPython a no-op.
# Must not import anything but micropython.
try:
    from micropython import const
except ImportError:  # CPython

    def const(value):
        return value
