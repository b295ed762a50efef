# MQTT service (umqtt.simple): one supervisor owns the link. Connects with backoff, last will
# "offline", publishes the latest reading (latest wins, never stale), Home Assistant discovery,
# hourly snapshots (QoS 1, in order, kept until acknowledged) and diagnostics.
# Every blocking call is bounded by the network port's socket timeout. Imports ticks + core.
from hanport.core.backoff import Backoff
from hanport.core.jsonfmt import dumps
from hanport.core.payload import state_json, topic
from hanport.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms

DOWN = "disconnected"
UP = "connected"
AUTH_FAILED = "auth_failed"  # CONNACK 4 (bad user name or password) or 5 (not authorised)
_LOOP_MS = 50
_AUTH_CAP_MS = 300000  # wrong credentials: retry at most every 5 minutes


# Home Assistant sensors read from the retained peaks topic (docs/effekttariff.md).
PEAK_SENSORS = (
    ("peak_billed_w", "{{ value_json.billed_w if value_json.billed_w is number else (value_json.billed_w.values() | max) }}"),
    ("peak_headroom_w", "{{ value_json.period.headroom_w }}"),
    ("peak_hour_projected_w", "{{ value_json.period.projected_w }}"),
    # with a price only (svc/peaks.py priced): the month's fee so far, and what this hour adds
    ("peak_fee_sek", "{{ value_json.fee.sek if value_json.fee is defined else none }}"),
    ("peak_hour_adds_sek", "{{ value_json.period.adds.sek if value_json.period.adds is defined else none }}"),
)


class MqttService:
    def __init__(self, cfg, hub, make_client, rand_below, hourly=None, diag=None, log=None, peaks=None):
        self.cfg = cfg
        self.hub = hub
        self.make_client = make_client  # () -> umqtt.simple.MQTTClient wired to a NetPort
        self.hourly = hourly
        self.peaks = peaks  # svc/peaks.py PeakService, or None
        self.peaks_changes = -1
        self.last_peaks_ms = None
        self.diag = diag  # () -> dict, published every minute
        self.log = log or (lambda text: None)
        self.prefix = cfg["mqtt.prefix"]
        self.device_id = hub.device_id
        self.backoff = Backoff(rand_below)
        self.client = None
        self.state = DOWN
        self.last_error = ""
        self.next_attempt_ms = ticks_ms()
        self.published_seq = 0
        self.last_state_ms = None
        self.last_ping_ms = ticks_ms()
        self.last_diag_ms = None
        self.last_diag_state = None
        self.announced = set()
        self._tables = False  # core/discovery.py loaded (it goes once every field is announced)
        self.ha_online = False
        self.counters = {"connects": 0, "failures": 0, "auth_failures": 0, "published": 0, "hourly_sent": 0}

    def t(self, leaf):
        return topic(self.prefix, self.device_id, leaf).encode()

    # --- link --------------------------------------------------------------------------
    def _connect(self):
        client = self.make_client()
        client.set_last_will(self.t("status"), b"offline", retain=True)
        client.set_callback(self._on_message)
        try:
            client.connect()
        except Exception as e:
            try:
                if client.sock:
                    client.sock.close()
            except Exception:
                pass
            raise e
        self.client = client
        self.state = UP
        self.counters["connects"] += 1
        self.backoff.reset()
        self.last_error = ""
        self.log("mqtt: connected to %s:%d" % (self.cfg["mqtt.host"], self.cfg["mqtt.port"]))
        client.publish(self.t("status"), b"online", retain=True)
        if self.cfg["mqtt.ha_discovery"]:
            client.subscribe(b"homeassistant/status")
        self.announced = set()  # announce again on every connect (broker may have lost them)
        self.published_seq = 0  # publish the current reading at once, marked with its age

    def _drop(self, error):
        self.counters["failures"] += 1
        code = error.args[0] if error.args else None
        auth = type(error).__name__ == "MQTTException" and code in (4, 5)
        if auth:
            self.counters["auth_failures"] += 1
            self.state = AUTH_FAILED
            self.last_error = "broker refused the user name or password (CONNACK %d)" % code
        else:
            self.state = DOWN
            detail = " ".join(str(error).split()) or "no detail"  # mbedtls errors span lines
            self.last_error = "%s: %s" % (type(error).__name__, detail)
        if self.client is not None:
            try:
                self.client.sock.close()
            except Exception:
                pass
        self.client = None
        delay = self.backoff.next_delay_ms()
        if auth:
            delay = min(_AUTH_CAP_MS, delay * 5)
        self.log("mqtt: %s (%s); next attempt in %d ms" % (self.state, self.last_error, delay))
        self.next_attempt_ms = ticks_add(ticks_ms(), delay)

    def _on_message(self, topic_bytes, msg):
        if topic_bytes == b"homeassistant/status" and msg == b"online":
            self.announced = set()  # Home Assistant restarted: announce everything again

    # --- work --------------------------------------------------------------------------
    def step(self):
        """Do what is due now; returns how long to sleep. Never raises."""
        now = ticks_ms()
        if self.client is None:
            if ticks_diff(now, self.next_attempt_ms) < 0:
                return _LOOP_MS * 4
            try:
                self._connect()
            except Exception as e:
                self._drop(e)
            return _LOOP_MS
        try:
            self.client.check_msg()
            # At most one message per step, the reading first: each one makes several KB of
            # garbage on 32 bits, and the heap's peak is what lives plus one step's garbage.
            if not (
                self._publish_state(now)
                or self._publish_hourly()
                or self._publish_diag(now)
                or self._publish_peaks(now)
                or self._announce()
            ):
                self._keepalive(now)
        except Exception as e:
            self._drop(e)
        return _LOOP_MS

    def _announce(self):
        """Discovery for one field not yet announced per step (each message makes ~6 KB of
        garbage on 32 bits: one at a time keeps the heap's peak low, make mem). The discovery
        tables are loaded for this and unloaded once every field is announced."""
        reading = self.hub.reading_dict
        # From the second telegram on: the line search settles on the second frame and unloads
        # its code, so its modules and the discovery tables are never on the heap together.
        if not self.cfg["mqtt.ha_discovery"] or reading is None or self.hub.seq < 2:
            return False
        if self.peaks is not None:
            for field, template in PEAK_SENSORS:
                if field not in self.announced and (self.peaks.priced or not field.endswith("_sek")):
                    return self._announce_field(reading, field, "peaks", template)
        for field in reading:
            if field not in self.announced and self._announce_field(reading, field):
                return True
        if self._tables:  # every field announced: the tables go (loaded again after a reconnect)
            from hanport.unload import forget

            forget(("hanport.core.discovery",))
            self._tables = False
        return False

    def _announce_field(self, reading, field, leaf="state", template=None):
        """Publishes the field's discovery config; False when the field is no sensor."""
        from hanport.core.discovery import ha_discovery

        self._tables = True
        self.announced.add(field)
        meter_id = reading.get("meter_id")
        found = ha_discovery(self.prefix, self.device_id, field, meter_id, self.hub.firmware_version, leaf, template)
        if found is None:
            return False
        self.client.publish(found[0].encode(), found[1].encode(), retain=True)
        return True

    def _publish_peaks(self, now):
        """Retained effekttariff status: on every closed period, and each minute for the live
        hour and headroom."""
        peaks = self.peaks
        if peaks is None or peaks.periods.key < 0:
            return False
        if peaks.changes == self.peaks_changes and self.last_peaks_ms is not None and ticks_diff(now, self.last_peaks_ms) < 60000:
            return False
        self.client.publish(self.t("peaks"), dumps(peaks.status()).encode(), retain=True)
        self.peaks_changes = peaks.changes
        self.last_peaks_ms = now
        return True

    def _publish_state(self, now):
        hub = self.hub
        if hub.seq == self.published_seq or hub.reading_dict is None:
            return False
        if self.last_state_ms is not None and self.published_seq:
            if ticks_diff(now, self.last_state_ms) < self.cfg["mqtt.min_interval_s"] * 1000:
                return False
        age_ms = hub.telegram_age_ms()
        if age_ms is None or age_ms > 60000:  # stale: never republished as fresh
            self.published_seq = hub.seq
            return False
        self.client.publish(self.t("state"), state_json(hub.reading_dict, age_ms // 1000).encode())
        self.published_seq = hub.seq
        self.last_state_ms = now
        self.counters["published"] += 1
        return True

    def _publish_hourly(self):
        if self.hourly is None:
            return False
        snap = self.hourly.oldest_pending("mqtt")  # one hour per step
        if snap is None:
            return False
        self.client.publish(self.t("hourly"), dumps(snap).encode(), qos=1)  # returns after PUBACK
        self.hourly.ack("mqtt", snap)
        self.counters["hourly_sent"] += 1
        return True

    def _publish_diag(self, now):
        if self.diag is None:
            return False
        state = self.hub.meter_state
        due = self.last_diag_ms is None or ticks_diff(now, self.last_diag_ms) >= 60000
        if not due and state == self.last_diag_state:
            return False  # every minute, and at once when the meter link changes state
        self.last_diag_ms = now
        self.last_diag_state = state
        self.client.publish(self.t("diag"), dumps(self.diag()).encode(), retain=True)
        return True

    def _keepalive(self, now):
        if ticks_diff(now, self.last_ping_ms) >= self.cfg["mqtt.keepalive_s"] * 500:
            self.client.ping()
            self.last_ping_ms = now

    def status(self):
        out = dict(self.counters)
        out["state"] = self.state
        if self.last_error:
            out["last_error"] = self.last_error
        return out

    async def run(self):
        hub = self.hub
        while True:
            delay = self.step()
            seq = hub.seq
            while delay > 0 and hub.seq == seq:  # wake within 10 ms of a new reading
                await sleep_ms(10)
                delay -= 10
