#!/usr/bin/env python3
# Runs the host firmware as a board runs it (`make run`, the update tests): a new start when it
# exits asking for one (exit 75: a save, an update, a rollback) or crashes (after 1 s, as main.py's
# reset after 5 s), and a watchdog: a firmware whose heartbeat file stays untouched is killed and
# started again with the reset cause "watchdog". Usage: supervise.py [--watchdog-s N] -- CMD...
import os
import signal
import subprocess
import sys
import tempfile
import time

RESTART_EXIT = 75  # firmware/hanport/host/main.py: "start me again"
CRASH_PAUSE_S = 1.0


def supervise(cmd, watchdog_s=30.0, log=print, max_starts=0):
    """Runs cmd until it stops cleanly (exit 0, or a stop signal here); returns its last status."""
    beat = os.path.join(tempfile.mkdtemp(prefix="hanport-beat-"), "heartbeat")
    env = dict(os.environ, HANPORT_SUPERVISED="1", HANPORT_HEARTBEAT=beat)
    cause = env.get("HANPORT_RESET_CAUSE", "host_start")
    stopping = []
    proc = None

    def stop(*_):
        stopping.append(True)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # MicroPython raises KeyboardInterrupt: a clean stop

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    starts = 0
    while True:
        starts += 1
        env["HANPORT_RESET_CAUSE"] = cause
        if os.path.exists(beat):
            os.remove(beat)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=env)
        status = None
        while status is None:
            try:
                status = proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                seen = os.path.getmtime(beat) if os.path.exists(beat) else None
                quiet = time.time() - seen if seen is not None else time.monotonic() - started
                if not stopping and quiet > watchdog_s:
                    log("supervise: no heartbeat for %.0f s: watchdog reset" % quiet)
                    proc.kill()
                    status = proc.wait()
                    cause = "watchdog"
                    break
        else:
            cause = "soft_reset" if status == RESTART_EXIT else "crash"
        if stopping or status == 0 or (max_starts and starts >= max_starts):
            return status
        if cause == "crash":
            log("supervise: the firmware stopped with status %s: starting again in %.0f s" % (status, CRASH_PAUSE_S))
            time.sleep(CRASH_PAUSE_S)


def main(argv):
    watchdog_s = 30.0
    if argv[:1] == ["--watchdog-s"]:
        watchdog_s = float(argv[1])
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise SystemExit("usage: supervise.py [--watchdog-s N] -- CMD...")
    status = supervise(argv, watchdog_s, lambda text: print(text, flush=True))
    return 0 if status in (0, -signal.SIGINT) else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
