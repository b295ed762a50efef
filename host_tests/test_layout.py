# The project's rules, checked: the core imports no hardware, time or network modules;
# firmware validates without assert (mpy-cross -O strips it); every module says what it is
# for in a short header; no file grows past ~400 lines; nothing from the corpus is copied in.
import ast
import hashlib
import os
import re
import subprocess
import sys

from conftest import ROOT
from support import corpus_files

FORBIDDEN_IN_CORE = {"machine", "network", "socket", "time", "asyncio", "uasyncio", "usocket", "utime"}


def python_files(*folders):
    for folder in folders:
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            if "artifacts" in base or "__pycache__" in base:
                continue
            for name in files:
                if name.endswith(".py"):
                    yield os.path.join(base, name)


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module.split(".")[0]


def test_core_imports_no_hardware_time_or_network():
    for path in python_files("firmware/hanport/core"):
        tree = ast.parse(open(path, encoding="utf-8").read())
        bad = FORBIDDEN_IN_CORE & set(imported_modules(tree))
        assert not bad, (path, bad)


def test_firmware_has_no_assert():
    for path in python_files("firmware"):
        tree = ast.parse(open(path, encoding="utf-8").read())
        asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert not asserts, (path, asserts)


def test_every_module_has_a_header_comment():
    for path in python_files("firmware", "tools"):
        lines = open(path, encoding="utf-8").read().splitlines()
        if lines and lines[0].startswith("#!"):
            lines = lines[1:]
        header = []
        for line in lines:
            if not line.startswith("#"):
                break
            header.append(line)
        assert 2 <= len(header) <= 5, (path, "needs a 2-4 line header saying what it is for")


def test_no_file_over_400_lines():
    for path in python_files("firmware", "tools", "host_tests"):
        n = sum(1 for _ in open(path, encoding="utf-8"))
        assert n <= 420, (path, n)


def test_corpus_files_are_not_copied_into_the_repository():
    corpus = {hashlib.sha1(open(p, "rb").read()).hexdigest() for _, p in corpus_files(".txt") + corpus_files(".hex")}
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True).stdout.split(b"\0")
    for rel in filter(None, tracked):
        path = os.path.join(ROOT, rel.decode())
        if os.path.isfile(path):
            assert hashlib.sha1(open(path, "rb").read()).hexdigest() not in corpus, rel


def test_esp32_shell_type_checks_against_official_stubs():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "typecheck_esp32.py")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s)" in proc.stdout


def test_only_the_esp32_shell_imports_machine_or_network():
    for path in python_files("firmware"):
        rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
        if rel.startswith("firmware/hanport/esp32/") or rel in ("firmware/main.py", "firmware/boot.py"):
            continue
        tree = ast.parse(open(path, encoding="utf-8").read())
        bad = {"machine", "network"} & set(imported_modules(tree))
        assert not bad, (rel, bad)


def test_gzipped_pages_match_their_sources():
    # The device serves www/*.gz as they are: a page edited without `make www` would ship stale.
    import zlib

    from build_www import WBITS, WWW, sources

    names = sources()
    assert {"config.html", "status.html", "style.css"} <= set(names)
    for name in names:
        with open(os.path.join(WWW, name), "rb") as f, open(os.path.join(WWW, name + ".gz"), "rb") as g:
            source, packed = f.read(), g.read()
        # Decompressing with the device's small window proves the file was packed with it.
        assert zlib.decompress(packed, 16 + WBITS) == source, name + ".gz is stale: run make www"
        # No CDN: nothing is loaded from another host (phones in setup mode have no internet).
        assert not re.search(rb"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""", source), name


def _import_graph(folders, prefix=""):
    """module name -> the project's modules it imports (anywhere in it, functions included)."""
    files = {}
    for path in python_files(*folders):
        rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
        for folder in sorted(folders, key=len, reverse=True):  # host_tests/portable before host_tests
            if rel.startswith(folder + "/"):
                name = rel[len(folder) + 1 : -3].replace("/", ".")
                files[prefix + name[: -len(".__init__")] if name.endswith(".__init__") else prefix + name] = path
                break
    graph = {}
    for name, path in files.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(node.module + "." + a.name for a in node.names)
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def _cycle(graph):
    state = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return trail + [node, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [node])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_no_import_cycles_in_the_firmware_or_the_tests():
    firmware = _import_graph(["firmware"])
    assert "hanport.core.tariff.billing" in firmware and _cycle(firmware) is None, _cycle(firmware)
    tests = _import_graph(["host_tests", "host_tests/portable", "tools"])
    assert "harness" in tests and "conftest" in tests and _cycle(tests) is None, _cycle(tests)
    # the check finds one when there is one
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_profile_rows_name_their_fields():
    # Every OBIS row says which canonical field it fills by name (core/fields.py FIELDS), and
    # each name's slot number is that field's index: no bare slot numbers to guess at.
    from hanport.core.fields import FIELDS

    names = [name for name, _ in FIELDS]
    checked = 0
    for rel in ("firmware/hanport/core/p1/profiles.py", "firmware/hanport/core/binary/dlms.py"):
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
        for name, slot in re.findall(r"^_([A-Z0-9_]+) = const\((\d+)\)", text, re.M):
            if name.lower() in names:
                assert names.index(name.lower()) == int(slot), (rel, name, slot)
                checked += 1
        rows = re.findall(r'^\s+\("[0-9n]+-[0-9n]+:[0-9.]+", P_[A-Z_0-9]+, ([^,]+), ([^)]+)\)', text, re.M)
        for slot, slot2 in rows:
            assert slot.startswith("_") and slot2.startswith("_"), (rel, slot, slot2)
    assert checked >= 60, checked


CONCERNS = ("p1", "binary", "tariff", "lan", "update")  # firmware/hanport/core/<concern>/, see docs/architecture.md
# The one shared module that reaches into a concern: the settings schema checks the effekttariff
# settings with the tariff's own rule parser and preset list (loaded only while checking).
SHARED_USES = {("hanport.core.config", "tariff")}


def test_concern_packages_stay_apart_and_names_are_unique():
    # A concern's package imports the shared core and itself, never another concern; the shared
    # core imports no concern (SHARED_USES aside). Every folder is a package, and no two modules share a file name
    # (each shell's main.py and the packages' __init__.py aside), so a name says which module.
    graph = _import_graph(["firmware"])
    for name, imports in graph.items():
        parts = name.split(".")
        if parts[:2] != ["hanport", "core"]:
            continue
        own = parts[2] if len(parts) > 3 and parts[2] in CONCERNS else None
        for target in imports:
            other = target.split(".")
            if len(other) > 3 and other[:2] == ["hanport", "core"] and other[2] in CONCERNS:
                assert other[2] == own or (name, other[2]) in SHARED_USES, (name, "imports", target)
    seen = {}
    for path in python_files("firmware"):
        folder, base = os.path.split(path)
        assert os.path.exists(os.path.join(folder, "__init__.py")) or folder.endswith("firmware"), folder
        if base in ("main.py", "__init__.py"):
            continue
        assert base not in seen, (path, seen.get(base))
        seen[base] = path
    assert {"framer.py", "hdlc.py", "billing.py", "dnsanswer.py", "linedetect.py"} <= set(seen)
