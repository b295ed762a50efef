# main.py: start hanport. The work is in hanport.esp32.main.run(). A crash restarts the board
# after 5 s (Ctrl-C in that window leaves the REPL), so that the boot guard can see a crash
# loop and start safe mode instead of leaving a dead dongle at the REPL.
import sys
import time

import machine

try:
    from hanport.esp32.main import run

    run()
except KeyboardInterrupt:
    print("stopped: REPL")
except Exception as e:  # noqa: BLE001 - anything that reaches here is a crash
    sys.print_exception(e)  # type: ignore[attr-defined]  # MicroPython-only, missing from the stubs
    print("crashed: restarting in 5 s (Ctrl-C for the REPL)")
    time.sleep(5)
    machine.reset()
