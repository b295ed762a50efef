# Crash-loop guard: counts boots that never reached "running" for 60 s; the third such boot in
# a row starts safe mode (setup portal and REPL only). Keeps the last reset causes for the
# support bundle. Store, reset cause and clock are injected; one flash write per boot at most,
# plus one when the boot is declared healthy.
from hanport.ticks import ticks_diff

UNHEALTHY_LIMIT = 3  # boots in a row that died before HEALTHY_AFTER_MS
HEALTHY_AFTER_MS = 60000
CAUSES_KEPT = 8


class BootGuard:
    def __init__(self, store, reset_cause, now_ms):
        self.store = store  # JsonStore of /boot.json
        self.now_ms = now_ms  # () -> ms ticks
        self.booted_at = now_ms()
        self.healthy = False
        state = store.load()
        if not isinstance(state, dict):
            state = {}
        count = state.get("unhealthy_boots", 0)
        causes = state.get("reset_causes", [])
        if not isinstance(count, int) or not isinstance(causes, list):
            count, causes = 0, []
        causes = [c for c in causes if isinstance(c, str)][-(CAUSES_KEPT - 1) :] + [reset_cause]
        # This boot counts as unhealthy until it proves otherwise.
        self.safe_mode = count >= UNHEALTHY_LIMIT - 1
        self.causes = causes
        self.count = 0 if self.safe_mode else count + 1  # safe mode starts the count afresh
        self._save()

    def _save(self):
        try:
            self.store.save_text(
                '{"reset_causes": [%s], "unhealthy_boots": %d}' % (", ".join('"%s"' % c for c in self.causes), self.count)
            )
        except (OSError, ValueError):
            pass  # a full or broken flash must not stop the boot

    def fresh_start(self):
        """An update was just undone (appslot.py): the short runs were the failed version's, and the
        version that runs again is known good; no safe mode for it, its own count starts now."""
        self.safe_mode = False
        self.count = 1
        self._save()

    def check(self):
        """Call now and then while running: after 60 s this boot is healthy (count reset)."""
        if not self.healthy and ticks_diff(self.now_ms(), self.booted_at) >= HEALTHY_AFTER_MS:
            self.healthy = True
            self.count = 0
            self._save()
        return self.healthy

    def stopped(self):
        """A clean stop (Ctrl-C; SIGTERM, which the host launcher forwards as SIGINT; a restart the
        firmware asked for: a save, an update, a rollback): this boot never counts towards the
        crash-loop guard. A crash, kill -9, watchdog or power cut never gets here."""
        if not self.healthy and self.count > 0:
            self.count -= 1
            self._save()

    def report(self):
        return {"reset_causes": list(self.causes), "unhealthy_boots": self.count, "safe_mode": self.safe_mode}
