# The boot side of updates (firmware/appslot.py) on both runtimes: which folder a boot runs, the
# trial's boot count, rollback after a watchdog reset or three short boots (with the failure kept),
# marking good, and a damaged, foreign or half-replaced pointer file.
import json

import appslot
from support import tmpdir


def _root(name):
    return tmpdir("appslot-" + name)


def _stored(root):
    with open(root + appslot.POINTER) as f:
        return json.loads(f.read())


def test_without_a_pointer_the_flat_install_runs_and_an_update_goes_to_app_a():
    root = _root("flat")
    assert appslot.choose(root, "power_on") == (None, {})
    assert appslot.other({}) == "app_a"


def test_a_version_on_trial_gets_three_short_boots_then_the_previous_one_runs_again():
    root = _root("trial")
    appslot.begin_trial(root, "app_a", "9.9.9", ["telegrams", "mqtt"], "0.1.0")
    for boot in (1, 2, 3):
        folder, state = appslot.choose(root, "power_on")
        assert folder == root + "/app_a" and state["state"] == "trial" and _stored(root)["boots"] == boot
        assert "rolled_back" not in state
    folder, state = appslot.choose(root, "power_on")
    assert folder is None and state["state"] == "good" and state["version"] == "0.1.0" and state["rolled_back"]
    assert _stored(root) == {"run": None, "version": "0.1.0", "state": "good", "failed": state["failed"]}
    assert state["failed"]["version"] == "9.9.9" and "3 times" in state["failed"]["reason"]
    assert appslot.choose(root, "watchdog")[0] is None  # good now: a later watchdog reset changes nothing


def test_a_watchdog_reset_on_trial_goes_back_at_once_to_the_previous_slot():
    root = _root("watchdog")
    appslot.write(root, {"run": "app_a", "version": "1.0.0", "state": "good"})
    appslot.begin_trial(root, "app_b", "1.1.0", [], "1.0.0")
    assert appslot.choose(root, "power_on")[0] == root + "/app_b"
    folder, state = appslot.choose(root, "watchdog")
    assert folder == root + "/app_a" and state["version"] == "1.0.0" and "watchdog" in state["failed"]["reason"]
    assert appslot.other(state) == "app_b"  # the next update replaces the failed one


def test_a_good_trial_is_marked_good_and_a_minute_of_running_resets_the_boot_count():
    root = _root("good")
    appslot.begin_trial(root, "app_a", "9.9.9", ["telegrams"], "0.1.0")
    appslot.choose(root, "power_on")
    appslot.choose(root, "soft_reset")
    appslot.ran_a_minute(root)
    assert _stored(root)["boots"] == 0
    state = appslot.mark_good(root)
    assert state == {"run": "app_a", "version": "9.9.9", "state": "good", "previous": None, "previous_version": "0.1.0"}
    assert _stored(root) == state
    assert appslot.rollback(root, state, "late") == state and _stored(root) == state  # only a trial goes back
    for _ in range(5):
        assert appslot.choose(root, "power_on")[0] == root + "/app_a"


def test_a_damaged_or_foreign_pointer_runs_the_flat_install_and_a_half_replaced_one_is_whole():
    root = _root("damage")
    for text in ("{not json", '["app_a"]', '{"run": "../config"}', '{"run": "/app_a"}', ""):
        with open(root + appslot.POINTER, "w") as f:
            f.write(text)
        assert appslot.choose(root, "power_on") == (None, {}), text
    # FAT's fallback removes the old pointer before it renames the new one: a cut in between
    # leaves only the temp file, which was written whole before.
    import os

    os.remove(root + appslot.POINTER)
    with open(root + appslot.POINTER + ".tmp", "w") as f:
        f.write(json.dumps({"run": "app_b", "version": "2.0.0", "state": "good"}))
    assert appslot.choose(root, "power_on")[0] == root + "/app_b"
