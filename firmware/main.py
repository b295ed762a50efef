# main.py: start hanport from the application folder the pointer names (appslot.py: A/B updates,
# trial, rollback). A crash restarts the board after 5 s (Ctrl-C in that window leaves the REPL),
# so that the boot guard sees a crash loop; a version on trial that crashes goes back at once.
# Never replaced by an update (nor boot.py, nor appslot.py).
import sys
import time

import machine

slot = {}
try:
    import appslot

    cause = "watchdog" if machine.reset_cause() == machine.WDT_RESET else "other"
    folder, slot = appslot.choose("", cause)
    del appslot  # its code goes back to the heap; the app loads it again only for an update
    sys.modules.pop("appslot", None)
    if slot.get("state") == "trial":
        machine.WDT(timeout=30000)  # a new version that hangs before it starts its own watchdog
    if folder:
        sys.path.insert(0, folder)
    from hanport.esp32.main import run

    run(folder or "", slot)
except KeyboardInterrupt:
    print("stopped: REPL")
except Exception as e:  # noqa: BLE001 - anything that reaches here is a crash
    sys.print_exception(e)  # type: ignore[attr-defined]  # MicroPython-only, missing from the stubs
    if slot.get("state") == "trial":
        import appslot

        appslot.rollback("", appslot.read(""), "it stopped with %s: %s" % (type(e).__name__, e))
        print("update: %s failed to start; going back to the version before it" % slot.get("version"))
    print("crashed: restarting in 5 s (Ctrl-C for the REPL)")
    time.sleep(5)
    machine.reset()
