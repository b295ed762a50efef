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


# The operators the effekttariff table must name (issue: every large Swedish grid operator).
OPERATORS = (
    "Vattenfall Eldistribution", "E.ON Energidistribution", "Ellevio", "Göteborg Energi Elnät", "Mälarenergi Elnät",
    "Tekniska verken", "Jämtkraft", "Skellefteå Kraft", "Umeå Energi", "Öresundskraft", "Kraftringen",
    "Jönköping Energi", "Telge Nät", "Sollentuna Energi & Miljö", "Eskilstuna Energi och Miljö",
    "Halmstads Energi och Miljö", "Borås Elnät", "Karlstads", "Luleå Energi", "Sundsvall Elnät",
)  # fmt: skip


def test_the_operator_table_names_every_operator_with_its_preset_or_status():
    import sys

    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from hanport.core.tariff.presets import NAMES

    text = open(os.path.join(ROOT, "docs", "effekttariff.md"), encoding="utf-8").read()
    table = text[text.index("## Grid operators") : text.index("## Your own rule")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| operator")]
    assert len(rows) == len(OPERATORS), len(rows)
    for name in OPERATORS:
        row = [r for r in rows if r.startswith("| " + name)]
        assert len(row) == 1, name
        cells = [c.strip() for c in row[0].split("|")[1:-1]]
        preset = cells[1].strip("`")
        if preset == "–":  # no preset: the table says why
            assert cells[2].startswith(("not published", "not verified", "in part")), name
            continue
        module = __import__("hanport.core.tariff.presets." + preset, None, None, ["RULES"])
        assert preset in NAMES and name.split()[0] in module.OPERATOR, (name, preset)
        for start in [entry[0] for entry in module.RULES]:  # every dated rule and every source is in the row
            assert start in row[0] or start[:4] in row[0], (name, start)
        for url, _ in module.SOURCES:
            assert "](%s)" % url in row[0], (name, url)
    listed = {c for r in rows for c in [r.split("|")[2].strip().strip("`")] if c != "–"}
    assert listed == set(NAMES) - {"max1"}
