# The boot sequence of svc/startup.py (both shells run it): every branch with a fake shell and a
# real BootGuard on a scratch folder; CPython and MicroPython.
from hanport.svc.bootguard import BootGuard
from hanport.svc.startup import run
from hanport.svc.store import JsonStore
from support import tmpdir

_VALID = '{"wifi.ssid": "home", "wifi.password": "password1", "admin.password": "admin-pass"}'


class FakeShell:
    def __init__(self, name, config=None, button=False, radio=True, setup_possible=True, normal_result="restart", boots=0):
        folder = tmpdir("boot-" + name)
        self.config_store = JsonStore(folder + "/config.json")
        if config is not None:
            self.config_store.save_text(config)
        guard_store = JsonStore(folder + "/boot.json")
        if boots:
            guard_store.save_text('{"reset_causes": [], "unhealthy_boots": %d}' % boots)
        self.guard = BootGuard(guard_store, "power_on", lambda: 0)
        self.setup_possible = setup_possible
        self.has_radio = radio
        self.button = button
        self.normal_result = normal_result
        self.calls = []
        self.lines = []

    def log(self, text):
        self.lines.append(text)

    def button_held(self):
        return self.button

    def setup(self, reason, cfg):
        self.calls.append(("setup", reason))

    def normal(self, cfg):
        self.calls.append(("normal", cfg["wifi.ssid"]))
        return self.normal_result


def test_valid_config_runs_normal_mode_then_restarts():
    shell = FakeShell("valid", _VALID)
    assert run(shell) == "restart" and shell.calls == [("normal", "home")]


def test_missing_or_invalid_config_opens_setup_on_a_device():
    for name, config in (("none", None), ("invalid", '{"mqtt.port": "x"}'), ("no-ssid", '{"admin.password": "admin-pass"}')):
        shell = FakeShell(name, config)
        assert run(shell) == "restart" and shell.calls == [("setup", "no_config")], (name, shell.calls)


def test_a_host_without_radio_runs_with_defaults_instead():
    shell = FakeShell("host", None, radio=False)
    assert run(shell) == "restart" and shell.calls == [("normal", "")]


def test_button_opens_setup_even_with_a_valid_config():
    shell = FakeShell("button", _VALID, button=True)
    run(shell)
    assert shell.calls == [("setup", "button")]


def test_home_network_lost_in_normal_mode_opens_setup():
    shell = FakeShell("wifi", _VALID, normal_result="wifi_failed")
    run(shell)
    assert shell.calls == [("normal", "home"), ("setup", "wifi_failed")]


def test_crash_loop_opens_safe_mode_once_then_normal_again():
    shell = FakeShell("safe", _VALID, boots=2)  # this is the third boot in a row that did not last
    assert shell.guard.safe_mode
    run(shell)
    assert shell.calls == [("setup", "safe_mode")] and any("safe mode" in line for line in shell.lines)
    run(shell)  # the next boot (the host runs it in-process)
    assert shell.calls[-1] == ("normal", "home")


def test_safe_mode_without_a_portal_runs_normal_mode():
    shell = FakeShell("safe-host", _VALID, boots=2, setup_possible=False)
    run(shell)
    assert shell.calls == [("normal", "home")]


def test_a_clean_stop_does_not_count_but_an_unfinished_boot_does():
    shell = FakeShell("count", _VALID, boots=1)
    assert shell.guard.count == 2  # this boot counts until it has run 60 s ...
    shell.guard.stopped()  # ... or stops cleanly
    again = BootGuard(shell.guard.store, "host_start", lambda: 0)
    assert again.count == 2 and not again.safe_mode  # only the earlier unfinished boot, plus this one
