# What a newcomer reads: a README short enough for five minutes (<= 12 KB), every relative link
# in it, in docs/ and in the board READMEs pointing at a file that exists (and at a heading that
# exists), a licence, and one version that the changelog, /api and make build agree on.
import os
import re
import subprocess
import sys

from conftest import ROOT

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _markdown_files():
    out = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "CHANGELOG.md")]
    for folder in ("docs", "boards"):
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            out += [os.path.join(base, f) for f in files if f.endswith(".md")]
    return out


def _anchors(path):
    with open(path) as f:
        heads = [line.lstrip("#").strip() for line in f if line.startswith("#")]
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


def test_readme_is_short():
    assert os.path.getsize(os.path.join(ROOT, "README.md")) <= 12 * 1024


def test_no_dead_relative_links():
    files = _markdown_files()
    assert len(files) >= 12  # README, changelog, docs and the four boards
    dead = []
    for path in files:
        with open(path) as f:
            text = f.read()
        for url in LINK.findall(text):
            if url.startswith(("http://", "https://", "mailto:")):
                continue
            target, _, anchor = url.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(path), target)) if target else path
            if not os.path.exists(full):
                dead.append((os.path.relpath(path, ROOT), url))
            elif anchor and full.endswith(".md") and anchor not in _anchors(full):
                dead.append((os.path.relpath(path, ROOT), url))
    assert dead == []


def test_licence_and_one_version(tmp_path):
    with open(os.path.join(ROOT, "LICENSE")) as f:
        assert f.read().startswith("MIT License")
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from hanport import VERSION

    with open(os.path.join(ROOT, "CHANGELOG.md")) as f:
        newest = re.search(r"^## (\S+)", f.read(), re.M).group(1)
    assert newest == VERSION
    build = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "build.py"), "esp32-devkitc", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0 and "hanport %s for esp32-devkitc" % VERSION in build.stdout, build.stdout + build.stderr
