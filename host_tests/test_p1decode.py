# tools/p1decode.py prints identical JSON under CPython and the MicroPython unix port for
# every corpus capture, and its "obis" part is the reference tokenization.
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import MICROPYTHON, ROOT
from support import corpus_files, expected

TOOL = os.path.join(ROOT, "tools", "p1decode.py")


def run(runtime, *args, stdin=None):
    proc = subprocess.run([runtime, TOOL, *args], capture_output=True, input=stdin, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout, proc.stderr


def both(paths, *args):
    """[(CPython's stdout, MicroPython's stdout)] per path, the processes run side by side."""
    jobs = [(runtime, path) for path in paths for runtime in (sys.executable, MICROPYTHON)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        outs = list(pool.map(lambda job: run(job[0], *args, job[1])[0], jobs))
    return list(zip(outs[0::2], outs[1::2]))


@pytest.fixture(scope="module")
def ascii_files():
    return corpus_files(".txt")


def test_same_output_on_both_runtimes_and_matches_reference(ascii_files):
    outputs = both([path for _, path in ascii_files])
    for (name, _), (out_cpython, out_micropython) in zip(ascii_files, outputs):
        assert out_cpython == out_micropython, name
        lines = [json.loads(line) for line in out_cpython.decode().splitlines()]
        want = expected(name)
        assert len(lines) == len(want), name
        for got, ref in zip(lines, want):
            assert got["crc_ok"] == ref["crc_ok"], name
            if ref["crc_ok"] is False:
                assert "reading" not in got
                continue
            assert got["header"] == ref["header"] and got["obis"] == ref["objects"], name
            assert got["reading"]["meter_id"] == ref["header"]


def test_stdin_noise_and_stats():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from telegen import SwedishMeter

    meter = SwedishMeter(seed=21)
    stream = b"\xff\x00noise" + meter.telegram() + meter.telegram()[:300] + meter.telegram() + b"junk"
    for runtime in (sys.executable, MICROPYTHON):
        out, err = run(runtime, "--stats", "-", stdin=stream)
        lines = [json.loads(line) for line in out.decode().splitlines()]
        assert [line["crc_ok"] for line in lines] == [True, True]
        stats = json.loads(err.decode())["stats"]
        assert stats["ok"] == 2 and stats["truncated"] == 1 and stats["garbage"] == 11


def test_hex_captures_same_on_both_runtimes_and_decrypted_with_a_key(tmp_path):
    # Every binary capture of the corpus (--hex), and generated encrypted frames (--hdlc --key):
    # identical JSON from CPython and MicroPython (cryptolib there, cryptography here).
    names = [name for name, _ in corpus_files(".hex")]
    paths = [path for _, path in corpus_files(".hex")]
    decoded = 0
    for name, (out_cpython, out_micropython) in zip(names, both(paths, "--hex")):
        assert out_cpython == out_micropython, name
        decoded += sum(1 for line in out_cpython.decode().splitlines() if '"verdict": "ok"' in line)
    assert decoded >= 50
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from hdlcgen import aidon_frame
    from telegen import SwedishMeter

    key = "00112233445566778899aabbccddeeff"
    meter = SwedishMeter(seed=9)
    capture = tmp_path / "encrypted.bin"
    truths = []
    with open(capture, "wb") as f:
        for counter in range(1, 6):
            f.write(aidon_frame(meter, bytes.fromhex(key), counter))
            truths.append({k: str(v) for k, v in meter.truth.items()})
    outputs = [run(runtime, "--hdlc", "--key", key, str(capture))[0] for runtime in (sys.executable, MICROPYTHON)]
    assert outputs[0] == outputs[1]
    lines = [json.loads(line) for line in outputs[0].decode().splitlines()]
    assert [{k: str(v) for k, v in line["reading"].items()} for line in lines] == truths
    assert [line["apdu"] for line in lines] == ["encrypted"] * 5
