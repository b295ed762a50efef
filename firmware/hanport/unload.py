# Unloading: drops modules that one moment needed (setup, the settings page, the line search)
# from sys.modules and their package, so the garbage collector takes their code back once no
# object refers to it. On a device every imported module's bytecode lives in the heap.
import sys

# What the ASCII decoder loads; unloaded once a binary meter is found (~16 KB on 32 bits).
ASCII_MODULES = (
    "hanport.core.p1.decoder",
    "hanport.core.p1.framer",
    "hanport.core.p1.parser",
    "hanport.core.p1.profiles",
    "hanport.core.p1.lexer",
)


def forget(names):
    for name in names:
        if sys.modules.pop(name, None) is not None:
            parent, _, leaf = name.rpartition(".")
            package = sys.modules.get(parent)
            if package is not None and hasattr(package, leaf):
                delattr(package, leaf)
            # A concern's package (hanport.core.p1, ...) goes too once none of its modules is left.
            if parent.count(".") == 2 and not any(n.startswith(parent + ".") for n in sys.modules):
                forget((parent,))
