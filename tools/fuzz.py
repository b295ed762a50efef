#!/usr/bin/env python3
# `make fuzz`: the damage campaign (issue 13). Genuine telegrams (every CRC-valid corpus telegram
# and frame, and the project's generated ones) damaged at random, on CPython and the MicroPython
# unix port (tools/damage.py); prints the counts, keeps them in build/fuzz-last.json; exit 1 on
# an exception, an unverified damaged delivery, a counter mismatch or a buffer over its cap.
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
LAST = os.path.join(ROOT, "build", "fuzz-last.json")
FAILURES = ("exception", "ascii_unverified_damaged", "counter_mismatch", "over_cap")


def corpus_dir():
    return os.environ.get("HANPORT_CORPUS") or os.path.join(ROOT, "..", "shared", "telegrams")


def _verified_ascii(data):
    """The telegrams of data that a fresh decoder takes with a valid CRC, as sent (to the CRC
    line's end)."""
    from hanport.core.p1.decoder import Decoder
    from hanport.core.p1.framer import CRC_OK

    out = []

    def take(reading, framer):
        if reading is not None and framer.crc_state == CRC_OK:
            body = bytes(framer.buf[: framer.length])
            at = data.find(body)
            end = data.find(b"\n", at + len(body))
            out.append(data[at : end + 1 if end > 0 else len(data)])

    decoder = Decoder(take)
    decoder.feed(data)
    decoder.flush()
    return out


def sources():
    """(ascii, binary, description): CRC-valid telegrams and FCS-valid frames."""
    from hdlcgen import aidon_frame
    from telegen import SwedishMeter

    root = corpus_dir()
    ascii_sources, binary_sources, files = [], [], 0
    if os.path.isdir(root):
        with open(os.path.join(root, "manifest.json")) as f:
            manifest = json.load(f)
        for entry in manifest:
            if entry.get("crc_ok") is not True:
                continue
            with open(os.path.join(root, entry["file"]), "rb") as f:
                raw = f.read()
            files += 1
            if entry["format"] == "hdlc":
                binary_sources.append(bytes.fromhex("".join(raw.decode().split())))
            else:
                ascii_sources += _verified_ascii(raw)
    elif os.environ.get("CI") == "true":
        raise SystemExit("fuzz: no corpus at %s (CI needs it)" % root)
    generated = 0
    for seed in range(1, 9):
        meter = SwedishMeter(seed)
        for _ in range(4):
            ascii_sources.append(meter.telegram())
            binary_sources.append(aidon_frame(meter, None, seed))
            generated += 2
    return ascii_sources, binary_sources, "%d corpus files, %d generated" % (files, generated)


def write_sources(path, ascii_sources, binary_sources):
    with open(path, "wb") as f:
        for kind, items in ((b"A", ascii_sources), (b"B", binary_sources)):
            for item in items:
                f.write(kind + len(item).to_bytes(2, "big") + item)


def _cpython_worker(args):
    path, n, seed = args
    from damage import Campaign, read_sources

    ascii_sources, binary_sources = read_sources(path)
    return Campaign(ascii_sources, binary_sources, seed).run(n)


def _micropython_worker(args):
    path, n, seed = args
    proc = subprocess.run(
        [MICROPYTHON, "-X", "heapsize=8m", os.path.join(ROOT, "tools", "damage.py"), path, str(n), str(seed)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode:
        raise SystemExit("fuzz: MicroPython run failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def merge(results):
    total = {}
    examples = []
    for r in results:
        for k, v in r.items():
            if k == "examples":
                examples += v
            else:
                total[k] = total.get(k, 0) + v
    total["examples"] = examples[:6]
    return total


def campaign(runtime, n, path, workers):
    shares = [n // workers + (1 if k < n % workers else 0) for k in range(workers)]
    jobs = [(path, share, 1000 + k) for k, share in enumerate(shares) if share]
    worker = _cpython_worker if runtime == "CPython" else _micropython_worker
    start = time.time()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        result = merge(pool.map(worker, jobs))
    result["streams"] = n
    result["seconds"] = round(time.time() - start, 1)
    return result


ROWS = (
    ("streams", "streams"),
    ("ascii cold / warm", ("ascii cold", "ascii warm")),
    ("binary cold / warm", ("binary cold", "binary warm")),
    ("exceptions", "exception"),
    ("ASCII: genuine telegrams delivered", "ascii_genuine"),
    ("ASCII: rejected by CRC", "ascii_rejected_crc"),
    ("ASCII: CRC-less, not believed (dropped)", "ascii_unverified_dropped"),
    ("ASCII: over the buffer cap (dropped)", "ascii_overflow"),
    ("ASCII: damaged, delivered by a CRC collision", "ascii_crc_collision"),
    ("ASCII: damaged, delivered unverified", "ascii_unverified_damaged"),
    ("HDLC: frames delivered", "hdlc_frames"),
    ("HDLC: rejected by FCS / HCS", ("hdlc_fcs_error", "hdlc_hcs_error")),
    ("HDLC: damaged, delivered by an FCS collision", "hdlc_fcs_collision"),
    ("counters that do not add up", "counter_mismatch"),
    ("buffer over its cap", "over_cap"),
    ("seconds", "seconds"),
)


def table(results):
    names = list(results)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in ROWS:
        cells = []
        for name in names:
            r = results[name]
            if isinstance(key, tuple):
                cells.append(" / ".join("{:,}".format(r.get(k, 0)) for k in key))
            else:
                value = r.get(key, 0)
                cells.append("{:,}".format(value) if isinstance(value, int) else str(value))
        lines.append("| %s | %s |" % (label, " | ".join(cells)))
    return "\n".join(lines)


def main(argv):
    n_cpython, n_micropython = 1000000, 100000
    out = LAST
    for arg in argv:
        if arg.startswith("OUT="):  # the tests keep make fuzz's last figures
            out = arg[4:]
        elif arg.startswith("N="):
            n_cpython = int(arg[2:])
            n_micropython = n_cpython // 10
        elif arg.startswith("MPN="):
            n_micropython = int(arg[4:])
        else:
            raise SystemExit("usage: fuzz.py [N=streams on CPython] [MPN=streams on MicroPython] [OUT=file.json]")
    ascii_sources, binary_sources, described = sources()
    workers = os.cpu_count() or 1
    results = {}
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "sources.bin")
        write_sources(path, ascii_sources, binary_sources)
        results["CPython"] = campaign("CPython", n_cpython, path, workers)
        if n_micropython and os.path.exists(MICROPYTHON):
            results["MicroPython"] = campaign("MicroPython", n_micropython, path, workers)
    print("damage campaign: %d ASCII telegrams, %d binary frames (%s)" % (len(ascii_sources), len(binary_sources), described))
    print(table(results))
    bad = [(name, key, r[key]) for name, r in results.items() for key in FAILURES if r.get(key)]
    for name, r in results.items():
        for kind, body in r["examples"]:
            print("%s example, %s: %r" % (name, kind, body[:160]))
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump({"sources": described, "results": results, "table": table(results)}, f, indent=1, sort_keys=True)
    for name, key, value in bad:
        print("FAILED: %s: %s = %d" % (name, key, value))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
