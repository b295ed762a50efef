# make mem --modules, inside the 32-bit VM: what each firmware module keeps on the heap once
# imported (bytecode, constant tables, class objects), imported one per slice in the order given
# so that each figure is the cost of that module over the ones before it. Prints "MOD name bytes"
# and the interned names so far.
# Usage (tools/mem.py runs it): mod_cost.py MODULE [MODULE ...]
import gc
import sys

import micropython

sys.path.insert(0, "/mem")
sys.path.insert(0, "/fw")
import memnet  # noqa: E402
import vasyncio  # noqa: E402

vasyncio.install()
memnet.install()
_todo = list(sys.argv[1:])
_last = [None]


def __slices__():
    used = gc.mem_alloc()  # after the collection that followed the previous slice
    if _last[0] is not None:
        print("MOD %s %d" % (_last[0][0], used - _last[0][1]))
        micropython.qstr_info()  # its n_qstr: the names interned so far (tools/mem.py)
    if not _todo:
        return False
    name = _todo.pop(0)
    _last[0] = (name, used)
    __import__(name)
    gc.collect()  # done by the port when this call returns to JS
    return True
