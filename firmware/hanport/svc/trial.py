# A new version on trial (docs/updates.md): once it has run 60 s its boot count starts again; at
# the end of the trial it is marked good if it reached what the version before it had reached
# (telegrams decoded or a silent port, MQTT, HTTP push), else the next boot runs that version again.
# Loaded only on a trial boot and for an upload. Imports appslot and the clock compat only.
import appslot
from hanport.ticks import ticks_diff, ticks_ms

_MINUTE_MS = 60000


def reached(app):
    """What this run has reached: the version before an update records it as the trial's bar."""
    out = []
    stats = app.meter.stats()
    # A silent port is not the new version's fault: the port may be off (never activated).
    if stats["ok"] or not stats["bytes"]:
        out.append("telegrams")
    if app.mqtt is not None and app.mqtt.counters["published"]:
        out.append("mqtt")
    if app.http is not None and app.http.counters["ok"]:
        out.append("http")
    return out


class Trial:
    def __init__(self, root, state, trial_ms, log):
        self.root = root
        self.needs = state.get("needs") or []
        self.version = state.get("version")
        self.trial_ms = trial_ms
        self.log = log
        self.started = ticks_ms()
        self.ran_a_minute = False
        self.done = False

    def check(self, app):
        """Called every second by the app's supervisor."""
        if self.done:
            return
        up = ticks_diff(ticks_ms(), self.started)
        if not self.ran_a_minute and up >= _MINUTE_MS:
            self.ran_a_minute = True
            appslot.ran_a_minute(self.root)
        if up < self.trial_ms:
            return
        self.done = True
        have = reached(app)
        missing = [need for need in self.needs if need not in have]
        if not missing:
            app.ports.update_state = appslot.mark_good(self.root)
            self.log("update: %s ran its trial (%d s) and is now the good version" % (self.version, self.trial_ms // 1000))
            return
        reason = "in its trial it did not reach what the version before it had: " + ", ".join(missing)
        app.ports.update_state = appslot.rollback(self.root, appslot.read(self.root), reason)
        self.log("update: %s %s; going back" % (self.version, reason))
        app.request_restart("rollback")
