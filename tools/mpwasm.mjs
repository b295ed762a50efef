// Runs a Python script on the 32-bit MicroPython of npm @micropython/micropython-webassembly-pyscript
// (pinned in tools/wasm/package.json, installed into .venv/wasm by make): 4-byte pointers, 31-bit small ints and the GC with the
// ESP32 port's heap growth. Host folders are copied into its in-memory filesystem first.
// Usage: node tools/mpwasm.mjs [--heap BYTES] [--copy HOST=VM]... [--shims DIR] SCRIPT [ARG...]
// --shims DIR goes first on sys.path and its wasm_gaps module is imported: test-only stand-ins
// for what this build lacks (never firmware).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const wasmDir = process.env.HANPORT_WASM_DIR || path.join(here, "..", ".venv", "wasm");
const require = createRequire(path.join(wasmDir, "package.json"));
const { loadMicroPython } = await import(require.resolve("@micropython/micropython-webassembly-pyscript"));

let heap = 65536; // loadMicroPython's heapsize: 64,000 usable bytes at first, as on the ESP32
const copies = [];
let shims = null;
const argv = process.argv.slice(2);
while (argv.length && argv[0].startsWith("--")) {
  const flag = argv.shift();
  const value = argv.shift();
  if (flag === "--heap") heap = parseInt(value, 10);
  else if (flag === "--copy") copies.push(value.split("="));
  else if (flag === "--shims") shims = value;
  else throw new Error("unknown option " + flag);
}
if (!argv.length) {
  console.error("usage: node tools/mpwasm.mjs [--heap BYTES] [--copy HOST=VM]... [--shims DIR] SCRIPT [ARG...]");
  process.exit(2);
}

const write = (stream) => (line) => stream.write(line + "\n");
const mp = await loadMicroPython({ heapsize: heap, stdout: write(process.stdout), stderr: write(process.stderr) });

function mkdirs(vmPath) {
  let at = "";
  for (const part of vmPath.split("/").filter(Boolean)) {
    at += "/" + part;
    try {
      mp.FS.mkdir(at);
    } catch (e) {
      // already there
    }
  }
}

function copyTree(hostPath, vmPath) {
  const st = statSync(hostPath);
  if (st.isDirectory()) {
    mkdirs(vmPath);
    for (const name of readdirSync(hostPath)) {
      if (name === "__pycache__" || name === "node_modules" || name.startsWith(".")) continue;
      copyTree(path.join(hostPath, name), vmPath + "/" + name);
    }
  } else if (st.isFile()) {
    mkdirs(path.posix.dirname(vmPath));
    mp.FS.writeFile(vmPath, readFileSync(hostPath));
  }
}

for (const [hostPath, vmPath] of copies) copyTree(hostPath, vmPath);
if (shims) copyTree(shims, "/shims");
mkdirs("/tmp");

// The script runs as __main__ with sys.argv set; os.getenv reads the node process's
// environment (this build has no getenv); SystemExit becomes the process exit code. This
// build's sys has no argv and takes no new attributes: a stand-in module object delegates
// everything else to the real sys, and is what \`import sys\` returns from then on.
mp.globals.set("_argv", JSON.stringify(argv));
const bootstrap = `
import json, os, sys
class _Sys:
    def __init__(self, real, argv):
        self._real = real
        self.argv = argv
    def __getattr__(self, name):
        return getattr(self._real, name)
sys.modules["sys"] = sys = _Sys(sys, json.loads(_argv))
if ${shims ? "True" : "False"}:
    sys.path.insert(0, "/shims")
    import wasm_gaps
if not hasattr(os, "getenv"):
    import js
    def _getenv(key, default=None):
        value = getattr(js.process.env, key, None)
        return default if value is None else str(value)
    os.getenv = _getenv
del _argv
_exit_code = 0
try:
    _g = {"__name__": "__main__", "__file__": sys.argv[0]}
    with open(sys.argv[0]) as _f:
        _code = compile(_f.read(), sys.argv[0], "exec")
    exec(_code, _g)
except SystemExit as _e:
    _exit_code = _e.args[0] if _e.args else 0
    if _exit_code is None:
        _exit_code = 0
`;
// A script that defines __slices__() is then called again and again from here until it returns
// False: this port collects garbage only at the top level, between two calls from JS (gc.collect()
// inside Python just marks a collection as pending), so a long run must come back out to collect.
const slice = `
try:
    _more = _g["__slices__"]() if "__slices__" in _g and not _exit_code else False
except SystemExit as _e:
    _more = False
    _exit_code = (_e.args[0] if _e.args else 0) or 0
`;
try {
  mp.runPython(bootstrap);
  mp.runPython("_more = False");
  do {
    mp.runPython(slice);
  } while (mp.globals.get("_more"));
  process.exitCode = Number(mp.globals.get("_exit_code")) || 0;
} catch (e) {
  if (e.name !== "PythonError") throw e;
  process.stderr.write(e.message + "\n"); // the Python traceback, without the JS stack
  process.exitCode = 1;
}
