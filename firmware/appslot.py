# Which application folder runs (updates over the air, docs/updates.md): two folders, app_a and
# app_b, and one pointer file written by temp file + rename. Boot side: main.py (the host launcher
# on a PC) reads it before anything of hanport loads; never in a bundle, so no update can break it.
# Imports os and json only.
import json
import os

POINTER = "/app.json"
SLOTS = ("app_a", "app_b")
STAGE = "app_new"  # a bundle being received; a slot folder only ever appears whole, by rename
TRIAL_BOOTS = 3  # boots of a version on trial that never ran 60 s: the third one goes back

# The pointer, {"run": "app_a" | "app_b" | null (the flat install that make deploy left before
# slots existed, or the host's build tree), "version", "state": "good" | "trial", and while on
# trial "boots", "previous", "previous_version", "needs" (what the previous version had reached:
# "telegrams", "mqtt", "http"); "failed": {"version", "reason"} after a rollback}.


def read(root):
    """The pointer as stored ({} when there is none: the flat install runs). A cut between the
    FAT fallback's remove and rename leaves only the temp file, which is then whole."""
    for name in (POINTER, POINTER + ".tmp"):
        try:
            with open(root + name) as f:
                state = json.loads(f.read(2048))
        except (OSError, ValueError):
            continue
        if isinstance(state, dict) and (state.get("run") in SLOTS or state.get("run") is None):
            return state
    return {}


def write(root, state):
    path = root + POINTER
    with open(path + ".tmp", "w") as f:
        f.write(json.dumps(state))
    try:
        os.rename(path + ".tmp", path)  # LittleFS and POSIX replace the old pointer atomically
    except OSError:
        os.remove(path)  # FAT refuses to rename over a file
        os.rename(path + ".tmp", path)


def folder(root, state):
    """The application folder to put first on sys.path, or None for the flat install."""
    return root + "/" + state["run"] if state.get("run") else None


def other(state):
    """The slot an update goes into: the one not running."""
    return SLOTS[1] if state.get("run") == SLOTS[0] else SLOTS[0]


def choose(root, reset_cause):
    """One boot's pick. A version on trial gets TRIAL_BOOTS starts that never reach 60 s, and none
    after a watchdog reset; then the previous folder runs again, marked good, the failure kept."""
    state = read(root)
    if state.get("state") == "trial":
        boots = state.get("boots", 0)
        if reset_cause == "watchdog":
            state = rollback(root, state, "the watchdog reset it during its trial (it hung)")
        elif not isinstance(boots, int) or boots >= TRIAL_BOOTS:
            state = rollback(root, state, "it restarted %d times without running 60 s" % TRIAL_BOOTS)
        else:
            state["boots"] = boots + 1
            write(root, state)
            return folder(root, state), state
        state["rolled_back"] = True  # this boot only (not stored): the crash-loop guard starts afresh
    return folder(root, state), state


def rollback(root, state, reason):
    """Back to the previous folder (marked good); the version that failed and why are kept for the
    status page, /api/status and MQTT diag until the next update. Returns the new pointer."""
    if state.get("state") != "trial":
        return state
    back = {"run": state.get("previous"), "version": state.get("previous_version"), "state": "good"}
    back["failed"] = {"version": state.get("version"), "reason": reason}
    write(root, back)
    return back


def mark_good(root):
    state = read(root)
    if state.get("state") == "trial":
        state["state"] = "good"
        for key in ("boots", "needs"):
            state.pop(key, None)
        write(root, state)
    return state


def ran_a_minute(root):
    """A trial boot that ran 60 s is no crash loop: its boot count starts again."""
    state = read(root)
    if state.get("state") == "trial" and state.get("boots"):
        state["boots"] = 0
        write(root, state)


def begin_trial(root, target, version, needs, running_version):
    """After a verified bundle was renamed into `target`: the next boot runs it on trial."""
    state = read(root)
    new = {"run": target, "version": version, "state": "trial", "boots": 0, "needs": needs}
    new["previous"] = state.get("run")
    new["previous_version"] = running_version
    write(root, new)
    return new
