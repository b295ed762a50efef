# Home Assistant MQTT discovery configs, one per field. Needed only while announcing (after a
# connect, or when Home Assistant restarts): svc/mqtt.py loads it then and unloads it after.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.jsonfmt import dumps
from hanport.core.payload import topic

# Home Assistant sensor metadata by field-name suffix: (device_class, state_class, unit).
_HA_BY_SUFFIX = (
    ("_sek", ("monetary", None, "SEK")),  # the effekttariff fee (peaks topic): resets each month
    ("_varh", (None, "total_increasing", "varh")),
    ("_wh", ("energy", "total_increasing", "Wh")),
    ("_var", ("reactive_power", "measurement", "var")),
    ("_w", ("power", "measurement", "W")),
    ("_v", ("voltage", "measurement", "V")),
    ("_a", ("current", "measurement", "A")),
)
_HA_BY_NAME = {
    "gas_m3": ("gas", "total_increasing", "m³"),
    "water_m3": ("water", "total_increasing", "m³"),
    "heat_gj": ("energy", "total_increasing", "GJ"),
    "frequency_hz": ("frequency", "measurement", "Hz"),
    "power_factor": ("power_factor", "measurement", None),
    "power_failures": (None, "total_increasing", None),
    "long_power_failures": (None, "total_increasing", None),
    "tariff": (None, None, None),
}
# Not published as sensors (text, times, lists, diagnostics of the meter's firmware).
_HA_SKIP = (
    "meter_id",
    "meter_time",
    "meter_dst",
    "gas_time",
    "water_time",
    "heat_time",
    "power_peak_month_time",
    "power_peak_history",
    "text_message",
    "dsmr_version",
    "emucs_version",
    "breaker_state",
)


def ha_sensor_meta(field):
    if field in _HA_SKIP:
        return None
    if field in _HA_BY_NAME:
        return _HA_BY_NAME[field]
    for suffix, meta in _HA_BY_SUFFIX:
        if field.endswith(suffix):
            return meta
    if field.startswith("voltage_s"):  # sags / swells counters
        return (None, "total_increasing", None)
    return None


def _title(field):
    words = field.split("_")
    if words[-1] in ("wh", "w", "var", "varh", "v", "a", "m3", "gj", "hz"):
        words = words[:-1]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def ha_discovery(prefix, device_id, field, meter_id, firmware_version, leaf="state", template=None):
    """(topic, payload) of the retained discovery config of one field, or None when the field
    is not a sensor. One at a time: all of them at once would be ~15 KB of heap. leaf and
    template: for values read from another topic (peaks)."""
    meta = ha_sensor_meta(field)
    if meta is None:
        return None
    device_class, state_class, unit = meta
    config = {
        "name": _title(field),
        "unique_id": "%s_%s" % (device_id, field),
        "object_id": "hanport_%s_%s" % (device_id, field),
        "state_topic": topic(prefix, device_id, leaf),
        "value_template": template or "{{ value_json.%s }}" % field,
        "availability_topic": topic(prefix, device_id, "status"),
        "payload_available": "online",
        "payload_not_available": "offline",
        "device": {
            "identifiers": ["hanport_" + device_id],
            "name": "HAN port " + device_id,
            "manufacturer": "hanport",
            "model": meter_id or "HAN/P1 meter",
            "sw_version": firmware_version,
        },
    }
    if device_class:
        config["device_class"] = device_class
    if state_class:
        config["state_class"] = state_class
    if unit:
        config["unit_of_measurement"] = unit
    return "homeassistant/sensor/%s/%s/config" % (device_id, field), dumps(config)
