# Runs test modules under the MicroPython unix port (no pytest there): every function whose
# name starts with test_ is called; prints one line per test and "N passed, N failed".
# Usage: micropython host_tests/mp_runner.py [--firmware DIR] MODULE [MODULE ...]
import sys


def _parent(path):
    return path.rsplit("/", 1)[0] if "/" in path else "."


def main(argv):
    root = _parent(_parent(sys.argv[0].replace("\\", "/")))
    firmware = root + "/firmware"
    if argv and argv[0] == "--firmware":
        firmware = argv[1]
        argv = argv[2:]
    for extra in (root + "/host_tests/mp", root + "/host_tests/portable", root + "/tools", firmware):
        sys.path.insert(0, extra)
    from support import Skip

    passed = failed = skipped = 0
    for name in argv:
        module = __import__(name)
        for test in sorted(n for n in dir(module) if n.startswith("test_")):
            try:
                getattr(module, test)()
            except Skip as e:
                skipped += 1
                print("SKIP %s.%s: %s" % (name, test, e))
            except Exception as e:
                failed += 1
                print("FAIL %s.%s: %s: %s" % (name, test, type(e).__name__, e))
                sys.print_exception(e)
            else:
                passed += 1
                print("PASS %s.%s" % (name, test))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


sys.exit(main(sys.argv[1:]))
