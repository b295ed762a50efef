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

# Swedish "Branschrekommendation för lokalt kundgränssnitt" v2.0, table 1: all 27 objects.
SWEDEN = (
    ("0-0:1.0.0", P_TIME, 26, 0),  # meter date-time, W = winter (normal) time, S = summer
    ("1-0:1.8.0", P_SI, 0, 0),  # active energy import, kWh
    ("1-0:2.8.0", P_SI, 1, 0),  # active energy export, kWh
    ("1-0:3.8.0", P_SI, 2, 0),  # reactive energy import, kvarh (some send kVArh)
    ("1-0:4.8.0", P_SI, 3, 0),  # reactive energy export, kvarh
    ("1-0:1.7.0", P_SI, 4, 0),  # active power import, kW
    ("1-0:2.7.0", P_SI, 5, 0),
    ("1-0:3.7.0", P_SI, 6, 0),  # reactive power import, kvar
    ("1-0:4.7.0", P_SI, 7, 0),
    ("1-0:21.7.0", P_SI, 8, 0),  # L1 active power import
    ("1-0:41.7.0", P_SI, 9, 0),
    ("1-0:61.7.0", P_SI, 10, 0),
    ("1-0:22.7.0", P_SI, 11, 0),  # L1 active power export
    ("1-0:42.7.0", P_SI, 12, 0),
    ("1-0:62.7.0", P_SI, 13, 0),
    ("1-0:23.7.0", P_SI, 14, 0),  # L1 reactive power import
    ("1-0:43.7.0", P_SI, 15, 0),
    ("1-0:63.7.0", P_SI, 16, 0),
    ("1-0:24.7.0", P_SI, 17, 0),  # L1 reactive power export
    ("1-0:44.7.0", P_SI, 18, 0),
    ("1-0:64.7.0", P_SI, 19, 0),
    ("1-0:32.7.0", P_DEC, 20, 0),  # L1 voltage, V
    ("1-0:52.7.0", P_DEC, 21, 0),
    ("1-0:72.7.0", P_DEC, 22, 0),
    ("1-0:31.7.0", P_DEC, 23, 0),  # L1 current, A
    ("1-0:51.7.0", P_DEC, 24, 0),
    ("1-0:71.7.0", P_DEC, 25, 0),
)

# Dutch DSMR 2.2 / 4.x / 5.0 (P1 companion standard 5.0.2, table 6), beyond what Sweden has.
# "0-n" rows stand for M-Bus channels 1..4.
DSMR = (
    ("1-3:0.2.8", P_INT, 58, 0),  # DSMR version, "42" / "50"
    ("1-0:1.8.1", P_SI, 28, 0),  # import tariff 1 (NL: low/night), kWh
    ("1-0:1.8.2", P_SI, 29, 0),
    ("1-0:1.8.3", P_SI, 30, 0),
    ("1-0:1.8.4", P_SI, 31, 0),
    ("1-0:2.8.1", P_SI, 32, 0),
    ("1-0:2.8.2", P_SI, 33, 0),
    ("1-0:2.8.3", P_SI, 34, 0),
    ("1-0:2.8.4", P_SI, 35, 0),
    ("0-0:96.14.0", P_INT, 36, 0),  # tariff indicator
    ("0-0:96.7.21", P_INT, 37, 0),  # number of power failures
    ("0-0:96.7.9", P_INT, 38, 0),  # number of long power failures
    ("1-0:32.32.0", P_INT, 39, 0),  # voltage sags L1
    ("1-0:52.32.0", P_INT, 40, 0),
    ("1-0:72.32.0", P_INT, 41, 0),
    ("1-0:32.36.0", P_INT, 42, 0),  # voltage swells L1
    ("1-0:52.36.0", P_INT, 43, 0),
    ("1-0:72.36.0", P_INT, 44, 0),
    ("0-0:17.0.0", P_SI, 54, 0),  # power threshold (limiter), kW
    ("0-0:96.3.10", P_INT, 55, 0),  # breaker state
    ("1-0:14.7.0", P_DEC, 56, 0),  # frequency, Hz (Hungarian Sagemcom)
    ("1-0:13.7.0", P_DEC, 57, 0),  # power factor, no unit (Hungarian Sagemcom)
    ("0-0:96.13.0", P_TEXT, 60, 0),  # text message from the grid operator
    ("0-n:24.1.0", P_MBUS_TYPE, 0, 0),
    ("0-n:24.2.1", P_MBUS_VALUE, 0, 0),  # (YYMMDDhhmmssX)(value*m3); heat meters: *GJ
    ("0-n:24.3.0", P_GAS_DSMR22, 45, 46),
)

# Belgian e-MUCS (Fluvius) capacity-tariff objects and its gas object.
EMUCS = (
    ("0-0:96.1.4", P_INT, 59, 0),  # e-MUCS version "50217"
    ("1-0:1.4.0", P_SI, 51, 0),  # current quarter-hour average demand, kW
    ("1-0:1.6.0", P_TIME_SI, 52, 53),  # this month's peak: (time)(kW)
    ("0-0:98.1.0", P_PEAK_HISTORY, 61, 0),  # up to 13 months of peaks
    ("0-n:24.2.3", P_MBUS_VALUE, 0, 0),  # gas in e-MUCS
)

PROFILES = {"sweden": SWEDEN, "dsmr": DSMR, "emucs": EMUCS}
ALL_PROFILES = ("sweden", "dsmr", "emucs")
