# The canonical reading's fields: one slot number per name, and how each is written out.
# These names are what every output (MQTT, HTTP, local API) uses; see docs/api.md ("The canonical reading").
# Pure data: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const

# How a slot is written out.
OUT_INT = const(0)  # integer in the unit of its name (Wh, W, varh, var, count)
OUT_DEC = const(1)  # decimal number with the decimals the meter sent (230.1 V, 12785.123 m3)
OUT_TIME = const(2)  # YYYY-MM-DDTHH:MM:SS as sent (meter local time)
OUT_TEXT = const(3)  # text kept in the reading's own buffer (DSMR text message)
OUT_HISTORY = const(4)  # e-MUCS monthly peak history: list of {month, time, power_w}

# (name, output kind); the slot number is the index. Order is for humans only.
FIELDS = (
    ("energy_import_wh", OUT_INT),  # 0
    ("energy_export_wh", OUT_INT),
    ("reactive_energy_import_varh", OUT_INT),
    ("reactive_energy_export_varh", OUT_INT),
    ("power_import_w", OUT_INT),
    ("power_export_w", OUT_INT),  # 5
    ("reactive_power_import_var", OUT_INT),
    ("reactive_power_export_var", OUT_INT),
    ("power_import_l1_w", OUT_INT),
    ("power_import_l2_w", OUT_INT),
    ("power_import_l3_w", OUT_INT),  # 10
    ("power_export_l1_w", OUT_INT),
    ("power_export_l2_w", OUT_INT),
    ("power_export_l3_w", OUT_INT),
    ("reactive_power_import_l1_var", OUT_INT),
    ("reactive_power_import_l2_var", OUT_INT),  # 15
    ("reactive_power_import_l3_var", OUT_INT),
    ("reactive_power_export_l1_var", OUT_INT),
    ("reactive_power_export_l2_var", OUT_INT),
    ("reactive_power_export_l3_var", OUT_INT),
    ("voltage_l1_v", OUT_DEC),  # 20
    ("voltage_l2_v", OUT_DEC),
    ("voltage_l3_v", OUT_DEC),
    ("current_l1_a", OUT_DEC),
    ("current_l2_a", OUT_DEC),
    ("current_l3_a", OUT_DEC),  # 25
    ("meter_time", OUT_TIME),
    ("power_w", OUT_INT),  # derived: import - export
    # Dutch DSMR / Belgian e-MUCS / other extras
    ("energy_import_t1_wh", OUT_INT),
    ("energy_import_t2_wh", OUT_INT),
    ("energy_import_t3_wh", OUT_INT),  # 30
    ("energy_import_t4_wh", OUT_INT),
    ("energy_export_t1_wh", OUT_INT),
    ("energy_export_t2_wh", OUT_INT),
    ("energy_export_t3_wh", OUT_INT),
    ("energy_export_t4_wh", OUT_INT),  # 35
    ("tariff", OUT_INT),
    ("power_failures", OUT_INT),
    ("long_power_failures", OUT_INT),
    ("voltage_sags_l1", OUT_INT),
    ("voltage_sags_l2", OUT_INT),  # 40
    ("voltage_sags_l3", OUT_INT),
    ("voltage_swells_l1", OUT_INT),
    ("voltage_swells_l2", OUT_INT),
    ("voltage_swells_l3", OUT_INT),
    ("gas_m3", OUT_DEC),  # 45
    ("gas_time", OUT_TIME),
    ("water_m3", OUT_DEC),
    ("water_time", OUT_TIME),
    ("heat_gj", OUT_DEC),
    ("heat_time", OUT_TIME),  # 50
    ("power_avg_15min_w", OUT_INT),
    ("power_peak_month_w", OUT_INT),
    ("power_peak_month_time", OUT_TIME),
    ("power_threshold_w", OUT_INT),
    ("breaker_state", OUT_INT),  # 55
    ("frequency_hz", OUT_DEC),
    ("power_factor", OUT_DEC),
    ("dsmr_version", OUT_INT),
    ("emucs_version", OUT_INT),
    ("text_message", OUT_TEXT),  # 60
    ("power_peak_history", OUT_HISTORY),
)

N_SLOTS = const(62)

# Slot numbers the parser and derived values refer to by name.
ENERGY_IMPORT = const(0)
POWER_IMPORT = const(4)
POWER_EXPORT = const(5)
METER_TIME = const(26)
POWER_NET = const(27)
GAS_M3 = const(45)
GAS_TIME = const(46)
WATER_M3 = const(47)
WATER_TIME = const(48)
HEAT_GJ = const(49)
HEAT_TIME = const(50)
TEXT_MESSAGE = const(60)
PEAK_HISTORY = const(61)
