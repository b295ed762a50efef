# Receives an update (docs/updates.md): the body of POST /api/update, read 512 bytes at a time
# through core/update/bundlein.py into the staging folder, renamed into the slot not running once
# every byte checked out, and the pointer (appslot.py) set to try it at the next boot. Loaded per
# upload and unloaded after. Imports asyncio, os, hashlib and appslot; no machine/network.
import asyncio
import os

import appslot
from hanport.core.const import const
from hanport.svc.web import json_reply

# What an upload loads (and the trial's bar), dropped again by the site once the reply is out.
MODULES = ("hanport.svc.updater", "hanport.core.update.bundlein", "hanport.svc.trial", "appslot")
_READ = const(512)
_IDLE_S = const(10)  # an upload that stalls this long is dropped (and the staging folder with it)
_DIR = const(0x4000)  # stat mode bit of a folder


# mpy-cross -march names by MicroPython's native architecture number (sys.implementation._mpy >> 10).
_ARCHES = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp", "xtensa", "xtensawin", "rv32imc")


def expectation(port):
    """What a bundle must be made for: this board, its architecture ("native": this interpreter's,
    as on a board; the host runs plain bytecode), this interpreter's .mpy version."""
    import sys

    word = sys.implementation._mpy  # low byte: .mpy version; bits 8-9: its sub-version (6.3)
    arch = port["arch"]
    if arch == "native":
        arch = _ARCHES[word >> 10] if word >> 10 < len(_ARCHES) else "unknown"
    return {"board": port["board"], "arch": arch, "mpy": "%d.%d" % (word & 0xFF, (word >> 8) & 3)}


def remove_tree(path):
    try:
        names = os.listdir(path)
    except OSError:
        return  # not there (or a file, removed below)
    for name in names:
        child = path + "/" + name
        if os.stat(child)[0] & _DIR:
            remove_tree(child)
        else:
            os.remove(child)
    os.rmdir(path)


def tree_bytes(path):
    """The bytes of the files in a folder tree (0 when it is not there)."""
    try:
        names = os.listdir(path)
    except OSError:
        return 0
    total = 0
    for name in names:
        st = os.stat(path + "/" + name)
        total += tree_bytes(path + "/" + name) if st[0] & _DIR else st[6]
    return total


def _make_dirs(path):
    parts = path.split("/")
    for i in range(1, len(parts)):
        here = "/".join(parts[:i])
        if here:
            try:
                os.mkdir(here)
            except OSError:
                pass  # there already


def flash_free(port):
    """Bytes free on the flash (the host's tests may say fewer: port["free_flash"])."""
    if "free_flash" in port:
        return port["free_flash"]
    st = os.statvfs(port["root"] or "/")
    return st[1] * st[4]  # fragment size x blocks free to use


def _abandon(bundle, stage_dir):
    """A refused or failed upload: the file being written is closed, the staging folder removed."""
    if bundle.writer is not None:
        bundle.writer.close()
        bundle.writer = None
    remove_tree(stage_dir)


def _cut(port, step, log):
    """Power-cut tests (the host's --cut-at): stop dead at this step until the test kills the process."""
    if port.get("cut_at") == step:
        log("update: power cut at %s (kill -9 me)" % step)
        while True:
            pass


async def drain(reader, left):
    """Reads and drops a refused upload's body (bounded by its length and a stall timeout), so the
    client hears the refusal instead of a reset while it is still sending."""
    try:
        while left > 0:
            part = await asyncio.wait_for(reader.read(min(_READ, left)), _IDLE_S)
            if not part:
                return
            left -= len(part)
    except Exception:  # noqa: BLE001 - whatever the client does, the refusal is still sent
        pass


async def from_settings(site, request, reader):
    """POST /api/update on the settings side of normal mode (svc/site.py): the admin password, then
    serve(); a verified bundle restarts the dongle into it."""
    from hanport import VERSION
    from hanport.svc.trial import reached

    app = site.app
    refused = site.gate.check(request, app.cfg["admin.password"])
    reply, header = await serve(request, reader, refused, app.ports.update_port, app.ports.log, VERSION, reached(app))
    if header is not None:
        app.request_restart("update")
    return reply


async def serve(request, reader, refused, port, log, running_version, needs):
    """POST /api/update for a site: (reply, header of the installed bundle or None). refused: the
    site's admin gate answer (None: allowed); then the same-origin rule, one upload at a time."""
    from hanport.core.lan.auth import same_origin

    if refused is None and not same_origin(request.headers):
        refused = json_reply(403, {"error": "cross-origin request refused"})
    if refused is None and port is None:
        refused = json_reply(501, {"error": "this runtime runs the source tree: updates need the MicroPython build (make run)"})
    if refused is None and port.get("busy"):
        refused = json_reply(409, {"error": "another update is being received"})
    if refused is not None:
        await drain(reader, request.content_length - len(request.pending))
        return refused, None
    port["busy"] = True
    try:
        return await receive(request, reader, port, log, running_version, needs)
    finally:
        port["busy"] = False


async def receive(request, reader, port, log, running_version, needs):
    """(reply, header of the installed bundle or None). Nothing the running version uses is
    touched: the bundle goes to app_new, which becomes the other slot only when whole."""
    import hashlib

    from hanport.core.update.bundlein import BundleError, BundleReader

    root = port["root"]
    state = appslot.read(root)
    left = request.content_length
    if state.get("state") == "trial":
        await drain(reader, left - len(request.pending))
        text = "version %s is still on trial: update again once it is marked good" % state.get("version")
        return json_reply(409, {"error": text}), None
    if not request.headers.get("content-type", "").startswith("application/octet-stream"):
        await drain(reader, left - len(request.pending))
        return json_reply(415, {"error": "send the bundle as application/octet-stream"}), None
    stage_dir = root + "/" + appslot.STAGE
    target = appslot.other(state)
    remove_tree(stage_dir)  # what a cut upload left behind
    os.mkdir(stage_dir)

    def stage(path):
        full = stage_dir + "/" + path
        _make_dirs(full)
        return open(full, "wb")

    # The other slot holds the version before the running one: it makes room once this one is whole.
    free = flash_free(port) + tree_bytes(root + "/" + target)
    bundle = BundleReader(expectation(port), free, stage, hashlib.sha256)
    log("update: receiving %d bytes" % left)
    files_done = 0
    try:
        part = request.pending[:left]  # a client that sends more than it announced: the rest is not ours
        while True:
            if part:
                left -= len(part)
                bundle.feed(part)
                if port.get("cut_at") and bundle.header is not None:
                    done = bundle.header["files"] - bundle.files_left
                    while files_done < done:
                        files_done += 1
                        _cut(port, "staged-%d" % files_done, log)
            if left <= 0:
                break
            part = await asyncio.wait_for(reader.read(min(_READ, left)), _IDLE_S)
            if not part:
                break
        header = bundle.finish()
    except BundleError as e:
        _abandon(bundle, stage_dir)
        log("update: refused: %s" % e)
        return json_reply(400, {"error": "refused: %s" % e}), None
    except asyncio.TimeoutError:
        _abandon(bundle, stage_dir)
        return json_reply(408, {"error": "the upload stalled for %d s: nothing was changed" % _IDLE_S}), None
    except OSError as e:  # flash full or failing while writing
        _abandon(bundle, stage_dir)
        return json_reply(507, {"error": "could not write the bundle (%s): nothing was changed" % e}), None
    _cut(port, "verified", log)
    remove_tree(root + "/" + target)
    _cut(port, "cleared", log)
    os.rename(stage_dir, root + "/" + target)
    _cut(port, "renamed", log)
    appslot.begin_trial(root, target, header["version"], needs, running_version)
    _cut(port, "pointer", log)
    size = (header["version"], header["files"], header["bytes"])
    log("update: %s verified (%d files, %d bytes); restarting into it on trial" % size)
    return json_reply(200, {"installed": header["version"], "restart": True, "trial_s": port["trial_s"]}), header
