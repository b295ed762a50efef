# Unloading: drops modules that one moment needed (setup, the settings page, the line search)
# from sys.modules and their package, so the garbage collector takes their code back once no
# object refers to it. On a device every imported module's bytecode lives in the heap.
import sys

# What the ASCII decoder loads; unloaded once a binary meter is found (~16 KB on 32 bits).
ASCII_MODULES = (
    "hanport.core.decoder",
    "hanport.core.framer",
    "hanport.core.parser",
    "hanport.core.profiles",
    "hanport.core.scan",
)


def forget(names):
    for name in names:
        if sys.modules.pop(name, None) is not None:
            parent, _, leaf = name.rpartition(".")
            package = sys.modules.get(parent)
            if package is not None and hasattr(package, leaf):
                delattr(package, leaf)
