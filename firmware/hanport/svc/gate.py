# The admin password gate of the local web (settings page, support bundle, setup after a Wi-Fi
# failure): HTTP Basic compared in constant time (core/lan/auth.py, loaded per check), and a 30 s
# lock-out after 5 wrong passwords in a row. Imports the clock compat and svc/web.py only.
from hanport.svc.web import json_reply
from hanport.ticks import ticks_add, ticks_diff, ticks_ms

_LOCK_AFTER = 5  # wrong admin passwords in a row ...
_LOCK_MS = 30000  # ... lock the settings for this long (guessing costs 6 s a try)
_ASK_PASSWORD = {"WWW-Authenticate": 'Basic realm="hanport settings", charset="UTF-8"'}


class AdminGate:
    """Admin password check with a lock-out after repeated failures."""

    def __init__(self):
        self.failures = 0
        self.locked_until = None

    def check(self, request, admin_password):
        """None when allowed, else the reply to send."""
        if not admin_password:
            return json_reply(403, {"error": "no admin password is set: hold the button at boot to open setup"})
        if self.locked_until is not None:
            if ticks_diff(self.locked_until, ticks_ms()) > 0:
                return json_reply(429, {"error": "too many wrong passwords: wait 30 s"})
            self.locked_until = None
        from hanport.core.lan.auth import is_admin

        if is_admin(request.headers, admin_password):
            self.failures = 0
            return None
        if "authorization" in request.headers:
            self.failures += 1
            if self.failures >= _LOCK_AFTER:
                self.failures = 0
                self.locked_until = ticks_add(ticks_ms(), _LOCK_MS)
        return json_reply(401, {"error": "admin password required"}, _ASK_PASSWORD)
