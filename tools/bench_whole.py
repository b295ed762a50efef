#!/usr/bin/env python3
# `make bench`, whole process: tools/p1decode.py and dsmr_parser each decode the same 5,000 Swedish
# telegrams from a file to JSON lines as a command (start-up, reading, writing included), best of
# 3 taking turns; prints both and the ratio. `--dsmr FILE`: the dsmr_parser side (its TelegramBuffer + to_json).
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNT = 5000


def dsmr_parser_to_json_lines(path):
    from dsmr_parser import telegram_specifications
    from dsmr_parser.clients.telegram_buffer import TelegramBuffer
    from dsmr_parser.parsers import TelegramParser

    buffer = TelegramBuffer()
    parser = TelegramParser(telegram_specifications.SWEDEN)
    out = sys.stdout
    with open(path, newline="") as f:  # the telegrams' CR LF as sent
        while True:
            chunk = f.read(4096)
            if not chunk:
                break
            buffer.append(chunk)
            for telegram in buffer.get_all():
                out.write(parser.parse(telegram).to_json().replace("\n", " ") + "\n")


def _run(args):
    t0 = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode or proc.stdout.count(b"\n") != COUNT:
        raise SystemExit("bench_whole: %s failed: %s" % (args[1], proc.stderr.decode()[-500:]))
    return elapsed / COUNT * 1e6


def _best_of_both(theirs, ours, rounds=3):
    """Best of `rounds` each, the two commands taking turns, so a busy moment of the machine
    falls on both sides instead of on one."""
    best = [None, None]
    for _ in range(rounds):
        for side, args in enumerate((theirs, ours)):
            t = _run(args)
            best[side] = t if best[side] is None else min(best[side], t)
    return best


def main(argv):
    if argv[:1] == ["--dsmr"]:
        dsmr_parser_to_json_lines(argv[1])
        return 0
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from telegen import stream

    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "telegrams.txt")
        with open(path, "wb") as f:
            f.write(stream(COUNT))
        theirs, ours = _best_of_both(
            [sys.executable, os.path.abspath(__file__), "--dsmr", path],
            [sys.executable, os.path.join(ROOT, "tools", "p1decode.py"), path],
        )
    print("Whole process, %d Swedish telegrams to JSON lines (start-up included), best of 3" % COUNT)
    print("  %-34s %7.1f us/telegram" % ("dsmr_parser 1.x (SWEDEN) + to_json", theirs))
    print("  %-34s %7.1f us/telegram" % ("tools/p1decode.py (CPython)", ours))
    print("  %-34s %8.1fx   (target >= 3x)" % ("speed-up", theirs / ours))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
