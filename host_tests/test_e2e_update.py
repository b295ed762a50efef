# Updates over HTTP, end to end (issue 18): the MicroPython host firmware under tools/supervise.py
# (which restarts it as a board resets) receives real bundles from tools/bundle.py: a good one runs
# on trial and becomes good; one that crashes at start and one that hangs go back to the version
# before (reported on /api/status, /api/update and MQTT diag); damaged or foreign bundles, a cut
# upload, a wrong password or origin are refused with a message and change nothing.
import os

import pytest

from harness import Broker, FakeMeter, Subscriber, free_port, wait_for
from updates import (
    ADMIN,
    Supervised,
    compiled,
    get_json,
    make_host_bundle,
    post,
    read_bundle,
    running_version,
    tree_files,
    try_json,
    with_module,
    write_bundle,
)

CONFIG = {"admin.password": ADMIN, "device.id": "upd"}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundles")
    good = make_host_bundle(str(tmp / "good.hpb"), "9.9.9")
    crash = with_module(good, "9.9.8", "hanport/svc/app.mpy", compiled("raise RuntimeError('broken on purpose')\n", tmp), tmp)
    hang = with_module(good, "9.9.7", "hanport/svc/app.mpy", compiled("while True:\n    pass\n", tmp), tmp)
    return {"good": good, "crash": crash, "hang": hang, "tmp": tmp}


def _config_bytes(fw):
    with open(fw.config_path, "rb") as f:
        return f.read()


def _broker(tmp_path):
    """A mosquitto, a subscriber to the dongle's diag topic, and a config that publishes there."""
    broker = Broker(tmp_path)
    broker.start()
    sub = Subscriber(broker.port, "hanport/upd/diag")
    sub.start()
    return broker, sub, dict(CONFIG, **{"mqtt.host": "127.0.0.1", "mqtt.port": broker.port})


def _start(tmp_path, mpy_build, extra=(), config=None):
    meter = FakeMeter(tmp_path, rate=2.0, interval=2)
    port = free_port()
    fw = Supervised(tmp_path, meter.link, port, mpy_build, config or CONFIG, ["--trial-s", "4"] + list(extra))
    wait_for(lambda: running_version(port), 30, what=fw.output)
    return meter, fw, port


def test_a_good_bundle_runs_on_trial_then_is_good_and_the_config_is_untouched(tmp_path, mpy_build, bundles):
    meter, fw, port = _start(tmp_path, mpy_build)
    try:
        before = running_version(port)
        config = _config_bytes(fw)
        assert get_json(port, "/api/update") == {"version": before, "state": "good"}
        with open(bundles["good"], "rb") as f:
            status, answer = post(port, f.read())
        assert status == 200 and answer["installed"] == "9.9.9" and answer["restart"], answer
        wait_for(lambda: running_version(port) == "9.9.9", 30, what=fw.output)
        assert get_json(port, "/api/update")["state"] == "trial"
        wait_for(lambda: try_json(port, "/api/update").get("state") == "good", 30, what=fw.output)
        assert get_json(port, "/api/status")["update"] == {"version": "9.9.9", "state": "good"}
        # The running folder is exactly the bundle: no file more, none less, none different.
        _, files = read_bundle(bundles["good"])
        assert tree_files(os.path.join(fw.data, "app_a")) == dict(files)
        assert not os.path.exists(os.path.join(fw.data, "app_new")) and _config_bytes(fw) == config
        assert "ran its trial" in fw.output() and ADMIN not in fw.output()
    finally:
        fw.stop()
        meter.stop()


def test_a_bundle_that_crashes_at_start_goes_back_and_is_reported(tmp_path, mpy_build, bundles):
    broker, sub, config = _broker(tmp_path)
    meter, fw, port = _start(tmp_path, mpy_build, config=config)
    try:
        before = running_version(port)
        config_bytes = _config_bytes(fw)
        status, answer = post(port, bundles["crash"])
        assert status == 200 and answer["installed"] == "9.9.8", answer
        wait_for(lambda: "broken on purpose" in fw.output(), 30, what=fw.output)
        wait_for(lambda: try_json(port, "/api/update").get("failed"), 30, what=fw.output)
        report = get_json(port, "/api/update")
        assert report["version"] == before and report["state"] == "good"
        assert report["failed"]["version"] == "9.9.8" and "RuntimeError" in report["failed"]["reason"]
        assert get_json(port, "/api/status")["update"] == report
        wait_for(lambda: any(d.get("update", {}).get("failed") for d in sub.json_on("hanport/upd/diag")), 30, what=fw.output)
        assert _config_bytes(fw) == config_bytes
    finally:
        fw.stop()
        meter.stop()
        sub.stop()
        broker.kill()


def test_a_bundle_that_hangs_is_reset_by_the_watchdog_and_goes_back(tmp_path, mpy_build, bundles):
    meter, fw, port = _start(tmp_path, mpy_build)
    try:
        before = running_version(port)
        config = _config_bytes(fw)
        assert post(port, bundles["hang"])[0] == 200
        wait_for(lambda: "watchdog reset" in fw.output(), 40, what=fw.output)
        wait_for(lambda: running_version(port) == before, 30, what=fw.output)
        report = get_json(port, "/api/update")
        assert report["failed"]["version"] == "9.9.7" and "watchdog" in report["failed"]["reason"]
        assert _config_bytes(fw) == config
    finally:
        fw.stop()
        meter.stop()


def _refusals(bundles):
    """(name, body, expected status, words in the message) of each bad upload."""
    header, files = read_bundle(bundles["good"])
    with open(bundles["good"], "rb") as f:
        good = f.read()
    i = good.index(b"hanport/svc/app.mpy\n") + 100  # a byte inside a file's body
    flipped = good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1 :]
    return [
        ("flipped bit", flipped, 400, "hanport/svc/app.mpy is damaged"),
        ("other board", write_bundle(dict(header, board="esp32-devkitc"), files), 400, "board"),
        ("other architecture", write_bundle(dict(header, arch="xtensawin"), files), 400, "arch"),
        ("other .mpy version", write_bundle(dict(header, mpy="5.0"), files), 400, "mpy"),
        ("path outside", write_bundle(header, files + [("../config.json", b"{}")]), 400, "outside the application folder"),
        ("absolute path", write_bundle(header, [("/config.json", b"{}")] + files), 400, "outside the application folder"),
        ("too big for the flash", write_bundle(header, files + [("www/big.bin", bytes(90000))]), 400, "bytes of flash"),
        ("not a bundle", b"<html>not an update</html>\n" * 10, 400, "not a hanport bundle"),
    ]


def test_bad_uploads_are_refused_with_a_message_and_change_nothing(tmp_path, mpy_build, bundles):
    # 200,000 bytes of flash free: the good bundle fits (140 KB + 16 KB margin), one 90 KB bigger does not.
    meter, fw, port = _start(tmp_path, mpy_build, ["--free-flash", "200000"])
    try:
        before = running_version(port)
        config = _config_bytes(fw)
        with open(bundles["good"], "rb") as f:
            good = f.read()

        def unchanged(what):
            assert running_version(port) == before, what
            assert not os.path.exists(os.path.join(fw.data, "app_new")), what
            assert not os.path.exists(os.path.join(fw.data, "app_a")), what
            assert not os.path.exists(os.path.join(fw.data, "app.json")), what
            assert _config_bytes(fw) == config, what

        for name, body, code, words in _refusals(bundles):
            status, answer = post(port, body)
            assert status == code and words in answer["error"], (name, status, answer)
            unchanged(name)
        status, answer = post(port, good, password="wrong-password")
        assert status == 401 and "admin password" in answer["error"]
        unchanged("wrong password")
        status, answer = post(port, good, origin="http://evil.example")
        assert status == 403 and "cross-origin" in answer["error"]
        unchanged("wrong origin")
        status, answer = post(port, good, ctype="application/x-www-form-urlencoded")
        assert status == 415
        unchanged("form encoding")
        # A cut upload: the connection ends after half of the bundle.
        import socket

        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            head = "POST /api/update HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/octet-stream\r\n" % port
            import base64

            head += "Authorization: Basic %s\r\n" % base64.b64encode(("admin:" + ADMIN).encode()).decode()
            s.sendall((head + "Content-Length: %d\r\n\r\n" % len(good)).encode() + good[: len(good) // 2])
            s.shutdown(socket.SHUT_WR)
            answer = b""
            while True:  # the head and the body may come in separate segments: read to the close
                part = s.recv(4096)
                if not part:
                    break
                answer += part
        assert b"400" in answer.split(b"\r\n")[0] and b"ends early" in answer, answer
        unchanged("cut upload")
        assert "refused" in fw.output() and ADMIN not in fw.output()
        # After all that, the good bundle still goes in.
        status, answer = post(port, good)
        assert status == 200, answer
        wait_for(lambda: running_version(port) == "9.9.9", 30, what=fw.output)
    finally:
        fw.stop()
        meter.stop()


def _running_tree_is_whole(fw, version, before, bundle_files):
    """Never a mix: the old version runs from its own tree (no pointer yet), the new one from a
    slot that holds exactly the bundle's files."""
    import json

    pointer_path = os.path.join(fw.data, "app.json")
    pointer = json.load(open(pointer_path)) if os.path.exists(pointer_path) else {}
    if version == before:
        assert pointer.get("run") is None and pointer.get("state", "good") == "good", pointer
    else:
        assert version == "9.9.9" and pointer["version"] == "9.9.9", (version, pointer)
        assert tree_files(os.path.join(fw.data, pointer["run"])) == bundle_files


def _upload_until_cut(port, body):
    try:
        post(port, body, timeout=30)
    except OSError:
        pass  # the power went while it was sending or waiting: what this test is about


def test_power_cuts_at_every_step_leave_the_old_or_the_new_version_never_a_mix(tmp_path, mpy_build, bundles):
    import threading

    with open(bundles["good"], "rb") as f:
        good = f.read()
    _, files = read_bundle(bundles["good"])
    bundle_files = dict(files)
    meter = FakeMeter(tmp_path, rate=2.0, interval=2)
    port = free_port()
    before = None
    config = None
    # Staging (after the first file, half way, the last), then each step of the switch, then the
    # first boot of the new version once it has counted itself.
    steps = ["staged-1", "staged-%d" % (len(files) // 2), "staged-%d" % len(files), "verified", "cleared", "renamed", "pointer"]
    try:
        for step in steps + ["booted"]:
            # Each step starts from a dongle that had run well: the crash-loop guard's count of the
            # cuts before is test_boot_stops.py's subject, not this one's.
            if os.path.exists(os.path.join(str(tmp_path), "data", "boot.json")):
                os.remove(os.path.join(str(tmp_path), "data", "boot.json"))
            extra = ["--trial-s", "600"] + (["--cut-at", step] if step != "booted" else [])
            env = {"HANPORT_CUT_AT": "booted"} if step == "booted" else None
            fw = Supervised(tmp_path, meter.link, port, mpy_build, CONFIG, extra, env=env)
            if step != "booted":
                wait_for(lambda: running_version(port), 30, what=fw.output)
                before = before or running_version(port)
                config = config or _config_bytes(fw)
                threading.Thread(target=_upload_until_cut, args=(port, good), daemon=True).start()
            cut_run, said = fw, "power cut at " + step
            wait_for(lambda: said in cut_run.output(), 30, what=cut_run.output)  # noqa: B023 - used at once
            fw.power_cut()
            fw = Supervised(tmp_path, meter.link, port, mpy_build, CONFIG, ["--trial-s", "600"])
            try:
                version = wait_for(lambda: running_version(port), 30, what=fw.output)
                _running_tree_is_whole(fw, version, before, bundle_files)
                expected = "9.9.9" if step in ("pointer", "booted") else before
                assert version == expected, (step, version, fw.output())
                staging_left = step.startswith("staged") or step in ("verified", "cleared")  # removed by the next upload
                assert staging_left or not os.path.exists(os.path.join(fw.data, "app_new"))
                assert _config_bytes(fw) == config, step
            finally:
                fw.power_cut()
        # The new version's boots so far (after "pointer", at "booted", after "booted") were all cut
        # before it ran 60 s: the next one goes back to the version before, in normal mode (not the
        # crash-loop guard's safe mode: those crashes were the new version's).
        fw = Supervised(tmp_path, meter.link, port, mpy_build, CONFIG, ["--trial-s", "600"])
        try:
            wait_for(lambda: running_version(port) == before, 30, what=fw.output)
            failed = get_json(port, "/api/update")["failed"]
            assert failed["version"] == "9.9.9" and "restarted 3 times" in failed["reason"], failed
            assert _config_bytes(fw) == config
        finally:
            fw.stop()
    finally:
        meter.stop()


def test_an_update_through_the_settings_page_in_chromium(tmp_path, mpy_build, bundles):
    """The page's update section: the version, a file chooser, the progress bar to 100 %, then the
    new version running on trial (screenshot: docs/update-page.png comes from this test)."""
    import base64

    from selenium.webdriver.common.by import By

    from harness import chromium, screenshot

    meter, fw, port = _start(tmp_path, mpy_build)
    driver = chromium()
    try:
        before = running_version(port)
        token = base64.b64encode(("admin:" + ADMIN).encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": "Basic " + token}})
        driver.get("http://127.0.0.1:%d/settings" % port)

        def text(element_id):
            return driver.find_element(By.ID, element_id).text

        wait_for(lambda: text("upd-version") == "Version " + before, 15, what=lambda: text("upd-version"))
        assert driver.find_element(By.ID, "upd-send").get_attribute("disabled") is not None  # no file yet
        driver.find_element(By.ID, "upd-file").send_keys(bundles["good"])
        driver.find_element(By.ID, "upd-send").click()
        wait_for(lambda: "9.9.9 is running" in text("upd-result"), 60, what=lambda: text("upd-result") + fw.output())
        bar = driver.find_element(By.ID, "upd-bar")
        assert bar.get_attribute("value") == "100" and text("upd-pct") == "100 %"
        assert driver.execute_script("return document.getElementById('upd-result').className") == "ok"
        assert ADMIN not in driver.page_source
        screenshot(driver, "settings-with-update.png")
        from harness import ARTIFACTS

        driver.find_element(By.ID, "update").screenshot(os.path.join(ARTIFACTS, "update-page.png"))  # docs/updates.md
        assert running_version(port) == "9.9.9"
    finally:
        driver.quit()
        fw.stop()
        meter.stop()


def test_a_version_that_reaches_less_in_its_trial_goes_back(tmp_path, mpy_build, bundles):
    """The old version published to MQTT when the bundle came; the new one cannot (the broker is
    gone): at the end of its trial it is undone, the reason naming what it did not reach."""
    broker, sub, config = _broker(tmp_path)
    meter, fw, port = _start(tmp_path, mpy_build, config=config)
    try:
        before = running_version(port)
        wait_for(lambda: sub.json_on("hanport/upd/diag"), 30, what=fw.output)  # MQTT reached
        wait_for(lambda: os.path.exists(os.path.join(fw.data, "line.json")), 30, what=fw.output)
        with open(os.path.join(fw.data, "line.json"), "rb") as f:
            line = f.read()  # the meter's line, found by the old version: kept by every path
        with open(bundles["good"], "rb") as f:
            assert post(port, f.read())[0] == 200
        broker.kill()
        wait_for(lambda: "going back" in fw.output(), 40, what=fw.output)
        wait_for(lambda: running_version(port) == before, 30, what=fw.output)
        report = get_json(port, "/api/update")
        assert report["version"] == before and "did not reach" in report["failed"]["reason"]
        assert "mqtt" in report["failed"]["reason"] and "telegrams" not in report["failed"]["reason"]
        with open(os.path.join(fw.data, "line.json"), "rb") as f:
            assert f.read() == line
    finally:
        fw.stop()
        meter.stop()
        sub.stop()
