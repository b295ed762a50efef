# The local API in the shape of the HomeWizard P1 meter API v1 (GET /api/v1/data), which evcc,
# Home Assistant's homewizard integration and others already read: their field names and units
# for the fields hanport has. Pure core: must not import machine, network, socket, time.
from hanport.core.reading import Fixed

PRODUCT_NAME = "hanport P1 meter"  # /api's product_name and the mDNS TXT record's

# canonical Wh field -> HomeWizard kWh field
_KWH = (
    ("energy_import_wh", "total_power_import_kwh"),
    ("energy_export_wh", "total_power_export_kwh"),
    ("energy_import_t1_wh", "total_power_import_t1_kwh"),
    ("energy_import_t2_wh", "total_power_import_t2_kwh"),
    ("energy_export_t1_wh", "total_power_export_t1_kwh"),
    ("energy_export_t2_wh", "total_power_export_t2_kwh"),
)
_SAME = (
    ("voltage_l1_v", "active_voltage_l1_v"),
    ("voltage_l2_v", "active_voltage_l2_v"),
    ("voltage_l3_v", "active_voltage_l3_v"),
    ("current_l1_a", "active_current_l1_a"),
    ("current_l2_a", "active_current_l2_a"),
    ("current_l3_a", "active_current_l3_a"),
    ("gas_m3", "total_gas_m3"),
    ("tariff", "active_tariff"),
    ("power_failures", "any_power_fail_count"),
    ("long_power_failures", "long_power_fail_count"),
    ("voltage_sags_l1", "voltage_sag_l1_count"),
    ("voltage_sags_l2", "voltage_sag_l2_count"),
    ("voltage_sags_l3", "voltage_sag_l3_count"),
    ("voltage_swells_l1", "voltage_swell_l1_count"),
    ("voltage_swells_l2", "voltage_swell_l2_count"),
    ("voltage_swells_l3", "voltage_swell_l3_count"),
    ("power_avg_15min_w", "active_power_average_w"),
    ("power_peak_month_w", "montly_power_peak_w"),  # sic: HomeWizard's own spelling
    ("dsmr_version", "smr_version"),
)


_SINGLE_RATE = (
    ("total_power_import_kwh", "total_power_import_t1_kwh", "total_power_import_t2_kwh"),
    ("total_power_export_kwh", "total_power_export_t1_kwh", "total_power_export_t2_kwh"),
)


def _negative(value):
    if isinstance(value, Fixed):
        return Fixed(-value.mantissa, value.decimals)
    return -value


def _net(reading, imp, exp):
    if imp not in reading and exp not in reading:
        return None
    return reading.get(imp, 0) - reading.get(exp, 0)


def data_v1(reading, wifi_ssid=None, wifi_rssi=None):
    """HomeWizard v1 /api/v1/data from a canonical reading dict (None: nothing read yet)."""
    out = {}
    if wifi_ssid is not None:
        out["wifi_ssid"] = wifi_ssid
    if wifi_rssi is not None:  # HomeWizard reports signal strength in percent
        out["wifi_strength"] = max(0, min(100, 2 * (wifi_rssi + 100)))
    if not reading:
        return out
    out["meter_model"] = reading.get("meter_id", "")
    for ours, theirs in _KWH:
        if ours in reading:
            out[theirs] = Fixed(reading[ours], 3)  # exact kWh with 3 decimals, no float
    for ours, theirs in _SAME:
        if ours in reading:
            out[theirs] = reading[ours]
    # Meters without tariff registers (every Swedish one) report their totals as tariff 1 too:
    # evcc's homewizard template sums every total_power_import_t* value (its energy reading).
    for total, t1, t2 in _SINGLE_RATE:
        if total in out and t1 not in out and t2 not in out:
            out[t1] = out[total]
    total = _net(reading, "power_import_w", "power_export_w")
    if total is not None:
        out["active_power_w"] = total
    for phase in ("l1", "l2", "l3"):
        net = _net(reading, "power_import_%s_w" % phase, "power_export_%s_w" % phase)
        if net is not None:
            out["active_power_%s_w" % phase] = net
            # Signed current: negative while that phase exports, as HomeWizard's P1 meter
            # reports it (SmartEVSE balances a charger on the house fuse with this sign).
            current = "active_current_%s_a" % phase
            if net < 0 and current in out:
                out[current] = _negative(out[current])
    if "gas_time" in reading:  # HomeWizard: YYMMDDhhmmss as a number
        t = reading["gas_time"]
        out["gas_timestamp"] = int(t[2:4] + t[5:7] + t[8:10] + t[11:13] + t[14:16] + t[17:19])
    return out
