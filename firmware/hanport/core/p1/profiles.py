# OBIS field tables, one per meter family: each row maps an OBIS code to a reading slot and
# to how its value is decoded. Data, not code: adding a meter object is adding a row.
# Pure data: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const

# How a value is decoded (see parser.py).
P_SI = const(0)  # number scaled by its unit prefix to W / Wh / var / varh (kWh -> Wh x 1000)
P_DEC = const(1)  # decimal number kept with the decimals sent (V, A, Hz, power factor)
P_INT = const(2)  # whole number (counters, tariff, version)
P_TIME = const(3)  # YYMMDDhhmmss[W|S]
P_TIME_SI = const(4)  # (time)(value*kW): Belgian month peak; time -> slot2, value -> slot
P_MBUS_VALUE = const(5)  # (time)(value*m3|GJ) on M-Bus channel n: gas, water or heat by type
P_MBUS_TYPE = const(6)  # 0-n:24.1.0 device type of M-Bus channel n (3 gas, 7 water, 4 heat)
P_GAS_DSMR22 = const(7)  # 0-n:24.3.0(time)(..)(m3) with the value on the NEXT line "(12.345)"
P_TEXT = const(8)  # text message, kept as sent (hex in DSMR 4/5, decoded on output)
P_PEAK_HISTORY = const(9)  # e-MUCS 0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0) + n x (month)(time)(kW)

# The canonical reading's slots (core/fields.py FIELDS, by index), named as its fields: folded
# into the rows at compile time (no heap); host_tests/test_layout.py checks each against FIELDS.
_NO_SLOT = const(0)  # M-Bus rows: the slot follows the device type (core/p1/parser.py), or no second slot
_ENERGY_IMPORT_WH = const(0)
_ENERGY_EXPORT_WH = const(1)
_REACTIVE_ENERGY_IMPORT_VARH = const(2)
_REACTIVE_ENERGY_EXPORT_VARH = const(3)
_POWER_IMPORT_W = const(4)
_POWER_EXPORT_W = const(5)
_REACTIVE_POWER_IMPORT_VAR = const(6)
_REACTIVE_POWER_EXPORT_VAR = const(7)
_POWER_IMPORT_L1_W = const(8)
_POWER_IMPORT_L2_W = const(9)
_POWER_IMPORT_L3_W = const(10)
_POWER_EXPORT_L1_W = const(11)
_POWER_EXPORT_L2_W = const(12)
_POWER_EXPORT_L3_W = const(13)
_REACTIVE_POWER_IMPORT_L1_VAR = const(14)
_REACTIVE_POWER_IMPORT_L2_VAR = const(15)
_REACTIVE_POWER_IMPORT_L3_VAR = const(16)
_REACTIVE_POWER_EXPORT_L1_VAR = const(17)
_REACTIVE_POWER_EXPORT_L2_VAR = const(18)
_REACTIVE_POWER_EXPORT_L3_VAR = const(19)
_VOLTAGE_L1_V = const(20)
_VOLTAGE_L2_V = const(21)
_VOLTAGE_L3_V = const(22)
_CURRENT_L1_A = const(23)
_CURRENT_L2_A = const(24)
_CURRENT_L3_A = const(25)
_METER_TIME = const(26)
_ENERGY_IMPORT_T1_WH = const(28)
_ENERGY_IMPORT_T2_WH = const(29)
_ENERGY_IMPORT_T3_WH = const(30)
_ENERGY_IMPORT_T4_WH = const(31)
_ENERGY_EXPORT_T1_WH = const(32)
_ENERGY_EXPORT_T2_WH = const(33)
_ENERGY_EXPORT_T3_WH = const(34)
_ENERGY_EXPORT_T4_WH = const(35)
_TARIFF = const(36)
_POWER_FAILURES = const(37)
_LONG_POWER_FAILURES = const(38)
_VOLTAGE_SAGS_L1 = const(39)
_VOLTAGE_SAGS_L2 = const(40)
_VOLTAGE_SAGS_L3 = const(41)
_VOLTAGE_SWELLS_L1 = const(42)
_VOLTAGE_SWELLS_L2 = const(43)
_VOLTAGE_SWELLS_L3 = const(44)
_GAS_M3 = const(45)
_GAS_TIME = const(46)
_POWER_AVG_15MIN_W = const(51)
_POWER_PEAK_MONTH_W = const(52)
_POWER_PEAK_MONTH_TIME = const(53)
_POWER_THRESHOLD_W = const(54)
_BREAKER_STATE = const(55)
_FREQUENCY_HZ = const(56)
_POWER_FACTOR = const(57)
_DSMR_VERSION = const(58)
_EMUCS_VERSION = const(59)
_TEXT_MESSAGE = const(60)
_POWER_PEAK_HISTORY = const(61)

# Swedish "Branschrekommendation för lokalt kundgränssnitt" v2.0, table 1: all 27 objects.
SWEDEN = (
    ("0-0:1.0.0", P_TIME, _METER_TIME, _NO_SLOT),  # meter date-time, W = winter (normal) time, S = summer
    ("1-0:1.8.0", P_SI, _ENERGY_IMPORT_WH, _NO_SLOT),  # active energy import, kWh
    ("1-0:2.8.0", P_SI, _ENERGY_EXPORT_WH, _NO_SLOT),  # active energy export, kWh
    ("1-0:3.8.0", P_SI, _REACTIVE_ENERGY_IMPORT_VARH, _NO_SLOT),  # reactive energy import, kvarh (some send kVArh)
    ("1-0:4.8.0", P_SI, _REACTIVE_ENERGY_EXPORT_VARH, _NO_SLOT),  # reactive energy export, kvarh
    ("1-0:1.7.0", P_SI, _POWER_IMPORT_W, _NO_SLOT),  # active power import, kW
    ("1-0:2.7.0", P_SI, _POWER_EXPORT_W, _NO_SLOT),
    ("1-0:3.7.0", P_SI, _REACTIVE_POWER_IMPORT_VAR, _NO_SLOT),  # reactive power import, kvar
    ("1-0:4.7.0", P_SI, _REACTIVE_POWER_EXPORT_VAR, _NO_SLOT),
    ("1-0:21.7.0", P_SI, _POWER_IMPORT_L1_W, _NO_SLOT),  # L1 active power import
    ("1-0:41.7.0", P_SI, _POWER_IMPORT_L2_W, _NO_SLOT),
    ("1-0:61.7.0", P_SI, _POWER_IMPORT_L3_W, _NO_SLOT),
    ("1-0:22.7.0", P_SI, _POWER_EXPORT_L1_W, _NO_SLOT),  # L1 active power export
    ("1-0:42.7.0", P_SI, _POWER_EXPORT_L2_W, _NO_SLOT),
    ("1-0:62.7.0", P_SI, _POWER_EXPORT_L3_W, _NO_SLOT),
    ("1-0:23.7.0", P_SI, _REACTIVE_POWER_IMPORT_L1_VAR, _NO_SLOT),  # L1 reactive power import
    ("1-0:43.7.0", P_SI, _REACTIVE_POWER_IMPORT_L2_VAR, _NO_SLOT),
    ("1-0:63.7.0", P_SI, _REACTIVE_POWER_IMPORT_L3_VAR, _NO_SLOT),
    ("1-0:24.7.0", P_SI, _REACTIVE_POWER_EXPORT_L1_VAR, _NO_SLOT),  # L1 reactive power export
    ("1-0:44.7.0", P_SI, _REACTIVE_POWER_EXPORT_L2_VAR, _NO_SLOT),
    ("1-0:64.7.0", P_SI, _REACTIVE_POWER_EXPORT_L3_VAR, _NO_SLOT),
    ("1-0:32.7.0", P_DEC, _VOLTAGE_L1_V, _NO_SLOT),  # L1 voltage, V
    ("1-0:52.7.0", P_DEC, _VOLTAGE_L2_V, _NO_SLOT),
    ("1-0:72.7.0", P_DEC, _VOLTAGE_L3_V, _NO_SLOT),
    ("1-0:31.7.0", P_DEC, _CURRENT_L1_A, _NO_SLOT),  # L1 current, A
    ("1-0:51.7.0", P_DEC, _CURRENT_L2_A, _NO_SLOT),
    ("1-0:71.7.0", P_DEC, _CURRENT_L3_A, _NO_SLOT),
)

# Dutch DSMR 2.2 / 4.x / 5.0 (P1 companion standard 5.0.2, table 6), beyond what Sweden has.
# "0-n" rows stand for M-Bus channels 1..4.
DSMR = (
    ("1-3:0.2.8", P_INT, _DSMR_VERSION, _NO_SLOT),  # DSMR version, "42" / "50"
    ("1-0:1.8.1", P_SI, _ENERGY_IMPORT_T1_WH, _NO_SLOT),  # import tariff 1 (NL: low/night), kWh
    ("1-0:1.8.2", P_SI, _ENERGY_IMPORT_T2_WH, _NO_SLOT),
    ("1-0:1.8.3", P_SI, _ENERGY_IMPORT_T3_WH, _NO_SLOT),
    ("1-0:1.8.4", P_SI, _ENERGY_IMPORT_T4_WH, _NO_SLOT),
    ("1-0:2.8.1", P_SI, _ENERGY_EXPORT_T1_WH, _NO_SLOT),
    ("1-0:2.8.2", P_SI, _ENERGY_EXPORT_T2_WH, _NO_SLOT),
    ("1-0:2.8.3", P_SI, _ENERGY_EXPORT_T3_WH, _NO_SLOT),
    ("1-0:2.8.4", P_SI, _ENERGY_EXPORT_T4_WH, _NO_SLOT),
    ("0-0:96.14.0", P_INT, _TARIFF, _NO_SLOT),  # tariff indicator
    ("0-0:96.7.21", P_INT, _POWER_FAILURES, _NO_SLOT),  # number of power failures
    ("0-0:96.7.9", P_INT, _LONG_POWER_FAILURES, _NO_SLOT),  # number of long power failures
    ("1-0:32.32.0", P_INT, _VOLTAGE_SAGS_L1, _NO_SLOT),  # voltage sags L1
    ("1-0:52.32.0", P_INT, _VOLTAGE_SAGS_L2, _NO_SLOT),
    ("1-0:72.32.0", P_INT, _VOLTAGE_SAGS_L3, _NO_SLOT),
    ("1-0:32.36.0", P_INT, _VOLTAGE_SWELLS_L1, _NO_SLOT),  # voltage swells L1
    ("1-0:52.36.0", P_INT, _VOLTAGE_SWELLS_L2, _NO_SLOT),
    ("1-0:72.36.0", P_INT, _VOLTAGE_SWELLS_L3, _NO_SLOT),
    ("0-0:17.0.0", P_SI, _POWER_THRESHOLD_W, _NO_SLOT),  # power threshold (limiter), kW
    ("0-0:96.3.10", P_INT, _BREAKER_STATE, _NO_SLOT),  # breaker state
    ("1-0:14.7.0", P_DEC, _FREQUENCY_HZ, _NO_SLOT),  # frequency, Hz (Hungarian Sagemcom)
    ("1-0:13.7.0", P_DEC, _POWER_FACTOR, _NO_SLOT),  # power factor, no unit (Hungarian Sagemcom)
    ("0-0:96.13.0", P_TEXT, _TEXT_MESSAGE, _NO_SLOT),  # text message from the grid operator
    ("0-n:24.1.0", P_MBUS_TYPE, _NO_SLOT, _NO_SLOT),
    ("0-n:24.2.1", P_MBUS_VALUE, _NO_SLOT, _NO_SLOT),  # (YYMMDDhhmmssX)(value*m3); heat meters: *GJ
    ("0-n:24.3.0", P_GAS_DSMR22, _GAS_M3, _GAS_TIME),
)

# Belgian e-MUCS (Fluvius) capacity-tariff objects and its gas object.
EMUCS = (
    ("0-0:96.1.4", P_INT, _EMUCS_VERSION, _NO_SLOT),  # e-MUCS version "50217"
    ("1-0:1.4.0", P_SI, _POWER_AVG_15MIN_W, _NO_SLOT),  # current quarter-hour average demand, kW
    ("1-0:1.6.0", P_TIME_SI, _POWER_PEAK_MONTH_W, _POWER_PEAK_MONTH_TIME),  # this month's peak: (time)(kW)
    ("0-0:98.1.0", P_PEAK_HISTORY, _POWER_PEAK_HISTORY, _NO_SLOT),  # up to 13 months of peaks
    ("0-n:24.2.3", P_MBUS_VALUE, _NO_SLOT, _NO_SLOT),  # gas in e-MUCS
)

PROFILES = {"sweden": SWEDEN, "dsmr": DSMR, "emucs": EMUCS}
ALL_PROFILES = ("sweden", "dsmr", "emucs")
