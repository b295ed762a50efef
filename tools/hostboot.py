# The host's half of main.py (tools/hanport_host.py): picks the application folder with appslot.py
# as a board does, from the data folder's pointer and the reset cause tools/supervise.py passes.
# Imported once by the launcher and dropped again (with appslot), so none of it stays on the heap.
import sys


def pick(argv, getenv):
    """(folder to put first on sys.path or None, (data folder, pointer)). Power-cut tests:
    HANPORT_CUT_AT=booted stops dead once the boot is counted (the test kills the process)."""
    import appslot

    data = argv[argv.index("--data") + 1] if "--data" in argv else "."
    folder, state = appslot.choose(data, getenv("HANPORT_RESET_CAUSE") or "host_start")
    if getenv("HANPORT_CUT_AT") == "booted":
        print("update: power cut at booted (kill -9 me)")
        while True:
            pass
    sys.modules.pop("appslot", None)
    return folder, (data, state)


def failed(slot, error):
    """A version on trial that stopped with an exception: the next start runs the one before."""
    if slot is None or slot[1].get("state") != "trial":
        return
    import appslot

    appslot.rollback(slot[0], appslot.read(slot[0]), "it stopped with %s: %s" % (type(error).__name__, error))
    print("update: %s failed to start; the next start runs the version before it" % slot[1].get("version"))
