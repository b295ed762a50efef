# Real parts for end-to-end tests: a mosquitto broker on a free loopback port, the virtual
# meter on a pty, the firmware as a MicroPython (or CPython) process, a paho subscriber and a
# tiny HTTP receiver. Every process is bounded in time and torn down by the tests.
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

from build import SOURCE_NAME  # tools/build.py: the source name every .mpy carries
from paths import MICROPYTHON, MPY_CROSS, ROOT

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def build_mpy(dest, *flags, umqtt=True):
    """Compile firmware/ (and the host copy of umqtt.simple) to .mpy, as they go on the device."""
    sources = [(os.path.join(ROOT, "firmware"), dest)]
    if umqtt:
        sources.append((os.path.join(ROOT, ".venv", "mplib"), dest))
    for src_root, out_root in sources:
        for folder, _, files in os.walk(src_root):
            for name in files:
                if not name.endswith((".py", ".gz")):
                    continue
                rel = os.path.relpath(os.path.join(folder, name), src_root)
                if name.endswith(".gz"):  # the pre-gzipped pages go on the device as they are
                    os.makedirs(os.path.join(out_root, os.path.dirname(rel)), exist_ok=True)
                    shutil.copyfile(os.path.join(folder, name), os.path.join(out_root, rel))
                    continue
                out = os.path.join(out_root, rel[:-3] + ".mpy")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                cmd = [MPY_CROSS, "-s", SOURCE_NAME, *flags, "-o", out, os.path.join(folder, name)]  # as tools/build.py
                proc = subprocess.run(cmd, capture_output=True, text=True)
                assert proc.returncode == 0, "mpy-cross rejects %s: %s" % (rel, proc.stderr)
    return dest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_exchange(port, data, wait=10, trickle=None, hang_up=False):
    """Send raw request bytes (optionally one byte every `trickle` s, or hanging up after
    them) and return the HTTP status, or None when the server closed without an answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        try:
            if trickle:
                for i in range(len(data)):
                    s.sendall(data[i : i + 1])
                    time.sleep(trickle)
            else:
                s.sendall(data)
            if hang_up:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server hung up first: see what it said
        chunks = []
        while True:
            try:
                part = s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                break
            if not part:
                break
            chunks.append(part)
    answer = b"".join(chunks)
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else None


def wait_for(predicate, timeout, step=0.05, what="condition"):
    """what: text, or a callable giving text (e.g. the firmware's output at failure time)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what() if callable(what) else what))


def settled(count, timeout, quiet=1.5, what="condition"):
    """Waits until count() (e.g. messages received) has not changed for `quiet` seconds: what
    was still in flight has arrived. Returns the last count."""
    end = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return last
    raise AssertionError("timed out after %.0f s waiting for %s to settle" % (timeout, what() if callable(what) else what))


class Broker:
    def __init__(self, workdir, users=None, tls=None):
        self.workdir = str(workdir)
        self.port = free_port()
        self.users = users or {}
        self.tls = tls  # (ca, cert, key) paths
        self.proc = None
        self.log_path = os.path.join(self.workdir, "mosquitto.log")
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false", "log_dest file %s" % self.log_path, "log_type all"]
        if os.geteuid() == 0:
            lines.append("user root")
        if self.users:
            pwfile = os.path.join(self.workdir, "passwd")
            open(pwfile, "w").close()
            for user, password in self.users.items():
                subprocess.run([MOSQUITTO_PASSWD, "-b", pwfile, user, password], check=True, capture_output=True)
            lines += ["allow_anonymous false", "password_file " + pwfile]
        else:
            lines.append("allow_anonymous true")
        if self.tls:
            ca, cert, key = self.tls
            lines += ["cafile " + ca, "certfile " + cert, "keyfile " + key]
        self.conf = os.path.join(self.workdir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                return False

        wait_for(listening, 10, what="mosquitto on port %d" % self.port)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Subscriber:
    def __init__(self, port, topic="#", username=None, password=None, tls_ca=None):
        import paho.mqtt.client as mqtt

        self.messages = []  # (monotonic time, topic, payload bytes, retain)
        self.lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if username:
            self.client.username_pw_set(username, password)
        if tls_ca:
            self.client.tls_set(ca_certs=tls_ca)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc, p=None: c.subscribe(topic, qos=1)
        self.port = port

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.messages.append((time.monotonic(), msg.topic, msg.payload, msg.retain))

    def start(self):
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        return self

    def stop(self):
        self.client.loop_stop()
        self.client.disconnect()

    def on(self, topic):
        with self.lock:
            return [(t, p) for (t, tp, p, r) in self.messages if tp == topic]

    def json_on(self, topic):
        return [json.loads(p) for _, p in self.on(topic)]


class FakeMeter:
    def __init__(self, workdir, rate=2.0, interval=10, count=0, start=None, silent=False, seed=1, delay=0, extra=()):
        self.link = os.path.join(str(workdir), "meter.pty")
        self.truth = os.path.join(str(workdir), "truth.jsonl")
        args = [
            sys.executable,
            os.path.join(ROOT, "tools", "fake_meter.py"),
            "--link",
            self.link,
            "--rate",
            str(rate),
            "--interval",
            str(interval),
            "--truth",
            self.truth,
            "--seed",
            str(seed),
        ]
        if count:
            args += ["--count", str(count)]
        if start is not None:
            args += ["--start", str(start)]
        if silent:
            args.append("--silent")
        if delay:
            args += ["--delay", str(delay)]
        args += list(extra)  # e.g. --format hdlc, --invert
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        wait_for(lambda: os.path.exists(self.link), 10, what="virtual meter pty")

    def sent(self):
        try:
            with open(self.truth) as f:
                return [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)
        return out  # ends with "sent N telegrams, M bytes lost"


class Firmware:
    def __init__(self, workdir, serial, config=None, heap="256k", runtime=None, extra=(), mpy=None):
        self.config_path = os.path.join(str(workdir), "config.json")
        if config is not None:
            with open(self.config_path, "w") as f:
                json.dump(config, f)
        data = os.path.join(str(workdir), "data")
        os.makedirs(data, exist_ok=True)
        runtime = runtime or MICROPYTHON
        args = [runtime] + (["-X", "heapsize=" + heap] if runtime == MICROPYTHON else [])
        args += [os.path.join(ROOT, "tools", "hanport_host.py"), "--serial", serial, "--data", data, "--verbose"]
        if config is not None:
            args += ["--config", self.config_path]
        args += list(extra)
        self.lines = []
        env = dict(os.environ)
        if mpy:
            env["HANPORT_FIRMWARE"] = mpy  # run the .mpy build, as on the device
        self._spawn(args, env)

    def _spawn(self, args, env, **popen):
        """Starts the process with its output collected line by line (output())."""
        out = subprocess.PIPE
        self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env, **popen)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.reader.join(5)
        return self.proc.returncode


ARTIFACTS = os.path.join(ROOT, "host_tests", "artifacts")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium(lang=None):
    """Headless Debian Chromium driven by selenium through Debian's chromium-driver (no browser
    download). Missing: a failure in CI, a skip elsewhere. lang: the browser's preferred
    language (e.g. "sv-SE"), as a Swedish phone would ask."""
    import pytest

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = "needs Debian packages chromium and chromium-driver (.ci/run installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=412,1400",  # a phone-wide window: the pages must read well there
    ):
        options.add_argument(arg)
    if lang:
        options.add_argument("--lang=" + lang)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang + "," + lang.split("-")[0]})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    os.makedirs(ARTIFACTS, exist_ok=True)
    return driver


def screenshot(driver, name):
    """Full-page PNG under host_tests/artifacts/ for a person to look at."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(412, min(max(height + 40, 600), 4000))
    path = os.path.join(ARTIFACTS, name)
    driver.save_screenshot(path)
    return path
