# Effekttariff service: feeds every telegram's clock and import register into the hour
# accounting and the operator's peak rules (core/tariff/periods.py, core/tariff/billing.py), keeps the month's
# candidates on flash (written once per period, atomically; survives reboots and power cuts)
# and answers what the pages, the API and MQTT show: peaks, billed value, this hour, headroom.
from hanport.core.calendar import swedish_time
from hanport.core.fields import ENERGY_IMPORT, METER_TIME, POWER_NET
from hanport.core.jsonfmt import dumps
from hanport.core.tariff.billing import PeakTracker, iso, money
from hanport.core.tariff.periods import Periods

_STATE_VERSION = 1


class PeakService:
    def __init__(self, preset, store, log, utc_now=None, schedule=None, with_vat=True, words=None):
        """schedule: core/tariff/billing.schedule_for()'s (the preset's own by default); words: the rule
        in plain words (core/tariff/rulewords.describe), shown with the month."""
        self.tracker = PeakTracker(preset, schedule, with_vat)
        self.words = words
        # every set of the newest rule has a price: the fee and its Home Assistant sensors exist
        self.priced = not [s for s in self.tracker.schedule[-1][1]["sets"] if not s.get("price")]
        self.periods = Periods(self.tracker.period_min)
        self.store = store  # JsonStore or None
        self.log = log
        self.last_month = None  # the finished month's result, once there is one
        self.changes = 0  # +1 per closed period: publishers compare it
        self.import_wh = 0
        self.power_w = 0
        self.utc_now = utc_now  # () -> UTC seconds, or None while the clock is not set (NTP)
        self._load()

    def _load(self):
        state = self.store.load() if self.store is not None else None
        if not isinstance(state, dict) or state.get("version") != _STATE_VERSION:
            return
        if self.tracker.restore(state.get("tracker")):
            self.periods.restore(state.get("open"))
            self.last_month = state.get("last_month")
            self.log("peaks: month %s restored from flash" % (self.tracker.month,))

    def _save(self):
        if self.store is None:
            return
        state = {
            "version": _STATE_VERSION,
            "tracker": self.tracker.state(),
            "open": self.periods.state(),
            "last_month": self.last_month,
        }
        try:
            self.store.save_text(dumps(state))
        except (OSError, ValueError) as e:
            self.log("peaks: could not save: %s" % e)

    def on_telegram(self, hub):
        r = hub.reading
        if not r.present[ENERGY_IMPORT]:
            return
        if r.present[METER_TIME]:
            date, clock, dst = r.value[METER_TIME], r.aux[METER_TIME], r.decimals[METER_TIME]
        else:  # a meter without a clock object: Swedish time from the NTP-set clock
            utc = self.utc_now() if self.utc_now is not None else None
            if utc is None:
                return
            date, clock, dst = swedish_time(utc)
        p = self.periods
        self.import_wh = r.value[ENERGY_IMPORT]
        self.power_w = r.value[POWER_NET] if r.present[POWER_NET] else 0
        if p.feed(date, clock, dst, self.import_wh, r.value[ENERGY_IMPORT + 1]):
            finished = self.tracker.add(p.closed_day, p.closed_minute, p.closed_minutes, p.closed_import_wh, p.closed_complete)
            if finished is not None:
                self.last_month = finished
            if self.tracker.period_min != p.period_min:  # a rule with other periods from this month
                self.periods = Periods(self.tracker.period_min)
            self.changes += 1
            self._save()  # once per period: the new open period and the month's candidates

    def status(self):
        """The month so far and the open period: what /api/peaks and MQTT carry."""
        t = self.tracker
        p = self.periods
        if p.key >= 0:
            t.open_month(p.day)
        out = t.result() if t.month is not None else {"preset": t.preset, "peaks": [], "billed_w": None}
        if p.key >= 0:
            used = p.used_wh(self.import_wh)
            period_s = t.period_min * 60
            left = period_s - p.elapsed_s
            projected = (used * 3600 + (self.power_w if self.power_w > 0 else 0) * (left if left > 0 else 0)) // period_s
            room = t.headroom_w(p.day, p.minute, used, p.elapsed_s)
            out["period"] = {
                "start": iso(p.day, p.minute),
                "used_wh": used,
                "elapsed_s": p.elapsed_s,
                "projected_w": projected,
                "headroom_w": room,
            }
            if room is not None:  # the average this period may end at before a billed value rises
                out["period"]["limit_w"] = (used * 3600 + room * (left if left > 0 else 0)) // period_s
            fee = t.fee_ore()
            if fee is not None:  # what the fee grows by if this period goes on at the present power
                out["period"]["adds"] = money(t.fee_ore((projected, p.day, p.minute)) - fee, t.with_vat)
        if self.words:
            out["rule"] = self.words
        if self.last_month is not None:
            out["last_month"] = self.last_month
        return out
