# DLMS/COSEM data-notification (IEC 62056-6-2/-5-3, A-XDR encoded) -> the canonical Reading,
# in exact integers, walking the bytes in place (no copies, no recursion). Handles the list
# styles of Swedish v1.2, Norwegian and Danish HAN meters; see docs/binary-meters.md.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.const import const
from hanport.core.fields import FIELDS, METER_TIME, OUT_DEC
from hanport.core.reading import DST_NONE, DST_SUMMER, DST_WINTER

# decode() verdicts
OK = const(0)
ENCRYPTED = const(1)  # general-(glo-)ciphering: a key from the grid operator is needed
UNSUPPORTED = const(2)  # a valid frame carrying another APDU (block transfer, ...)
MALFORMED = const(3)  # truncated or inconsistent A-XDR
UNKNOWN_LIST = const(4)  # well-formed, but no object we know (e.g. Slovenian Iskra lists)
WRONG_KEY = const(5)  # decrypted with the key given, but no data-notification came out
VERDICTS = ("ok", "encrypted", "unsupported", "malformed", "unknown_list", "wrong_key")

# Meter families: a list without scaler/unit structures has fixed scalers per family.
FAMILY_UNKNOWN = const(0)
FAMILY_KAIFA = const(1)  # "KFM_001" (Kaifa MA304H3E/H4/H4D/T4, MA105H2E)
FAMILY_KAMSTRUP = const(2)  # "Kamstrup_V0001" (Omnipower)
FAMILY_AIDON = const(3)  # "AIDON_V0001" or any list with scaler/unit structures

# Object keys: (A << 24) | (C << 16) | (D << 8) | E of an OBIS code A-B:C.D.E.F. B (channel;
# Kamstrup sends 1) and F (always 255) carry no meaning for a HAN list.
_KEY_CLOCK = const(0x00010000)  # 0-0:1.0.0 (Kamstrup: 0-1:1.0.0)
_KEY_METER_ID = const(0x00600100)  # 0-0:96.1.0
_KEY_METER_ID_KAMSTRUP = const(0x01000005)  # 1-1:0.0.5
_KEY_TYPE = const(0x00600107)  # 0-0:96.1.7 meter type
_KEY_TYPE_KAMSTRUP = const(0x01600101)  # 1-1:96.1.1
_KEY_LIST_ID = const(0x01000281)  # 1-0:0.2.129 list version ("KFM_001", "AIDON_V0001")
_KEY_NONE = const(-1)

# Slots of the canonical reading (core/fields.py FIELDS, by index), named as its fields and
# folded at compile time; host_tests/test_layout.py checks each against FIELDS.
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
_FREQUENCY_HZ = const(56)
_POWER_FACTOR = const(57)

# 1-0:C.7.0 (instantaneous values): slot + 1 by C (0: not a field of ours). Same slots as the
# ASCII profile (profiles.SWEDEN); 13 = power factor, 14 = frequency.
_INSTANT = bytearray(73)
for _c, _slot in (
    (1, _POWER_IMPORT_W),
    (2, _POWER_EXPORT_W),
    (3, _REACTIVE_POWER_IMPORT_VAR),
    (4, _REACTIVE_POWER_EXPORT_VAR),
    (21, _POWER_IMPORT_L1_W),
    (41, _POWER_IMPORT_L2_W),
    (61, _POWER_IMPORT_L3_W),
    (22, _POWER_EXPORT_L1_W),
    (42, _POWER_EXPORT_L2_W),
    (62, _POWER_EXPORT_L3_W),
    (23, _REACTIVE_POWER_IMPORT_L1_VAR),
    (43, _REACTIVE_POWER_IMPORT_L2_VAR),
    (63, _REACTIVE_POWER_IMPORT_L3_VAR),
    (24, _REACTIVE_POWER_EXPORT_L1_VAR),
    (44, _REACTIVE_POWER_EXPORT_L2_VAR),
    (64, _REACTIVE_POWER_EXPORT_L3_VAR),
    (32, _VOLTAGE_L1_V),
    (52, _VOLTAGE_L2_V),
    (72, _VOLTAGE_L3_V),
    (31, _CURRENT_L1_A),
    (51, _CURRENT_L2_A),
    (71, _CURRENT_L3_A),
    (13, _POWER_FACTOR),
    (14, _FREQUENCY_HZ),
):
    _INSTANT[_c] = _slot + 1

_E = 0x01000700  # key of 1-0:C.7.0 is _E | C << 16
# Kaifa lists without OBIS codes (Norwegian "KFM_001" list 1/2/3, also on Swedish MA304H4D):
# the element order is fixed by the element count. 0 = list id / meter id / type (text).
_K1 = (_E | 1 << 16,)  # list 1: active power import
_K9 = (_KEY_LIST_ID, _KEY_METER_ID, _KEY_TYPE) + tuple(_E | c << 16 for c in (1, 2, 3, 4, 31, 32))  # 1 phase
_K13 = _K9[:8] + tuple(_E | c << 16 for c in (51, 71, 32, 52, 72))  # 3 phases: I1 I2 I3 U1 U2 U3
_TAIL = (_KEY_CLOCK, 0x01010800, 0x01020800, 0x01030800, 0x01040800)  # clock, A+, A-, R+, R-
_KAIFA_LISTS = {1: _K1, 9: _K9, 13: _K13, 14: _K9 + _TAIL, 18: _K13 + _TAIL}

_KFM = b"KFM_001"
_KAMSTRUP = b"Kamstrup"
_AIDON = b"AIDON"

# A-XDR fixed sizes by type tag (0: variable or structured)
_SIZES = bytes((0, 0, 0, 1, 0, 4, 4, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 1, 2, 0, 8, 8, 1, 4, 8, 12, 5, 4))
_SIGNED = (0x05, 0x0F, 0x10, 0x14)  # double-long, integer, long, long64


def _starts(buf, pos, n, text):
    if n < len(text):
        return False
    for k in range(len(text)):
        if buf[pos + k] != text[k]:
            return False
    return True


class DlmsDecoder:
    """decode(buf, start, end, reading) -> OK / ENCRYPTED / UNSUPPORTED / MALFORMED for an
    information field (LLC header E6 E7 00 optional). Allocation-free after the first call.
    kamstrup_energy_wh: Wh per energy register step on Kamstrup meters: 10 in Norway and
    Denmark (HAN-NVE: 0.01 kWh), 1 on Swedish Kamstrup meters (amsreader-firmware #239)."""

    def __init__(self, kamstrup_energy_wh=1, cipher=None):
        self.kamstrup_energy_wh = kamstrup_energy_wh
        self.cipher = cipher  # core/binary/gcm.py GlobalCipher with the user's key, or None
        self.family = FAMILY_UNKNOWN
        self.unknown = 0  # objects of no slot of ours (seen, skipped)
        self.values = 0  # numbers stored by the last decode
        self._reset()

    def _reset(self):
        self._key = _KEY_NONE
        self._tag = -1  # type of the pending value, -1: none yet
        self._value = 0
        self._vpos = 0
        self._vlen = 0
        self._scaler = 0
        self._has_scaler = False
        self._ct = False  # Kamstrup CT meter (type 685...): currents in mA

    def decode(self, buf, start, end, reading):
        reading.clear()
        self._reset()
        self.family = FAMILY_UNKNOWN
        self.values = 0
        i = start
        if end - start >= 3 and buf[i] == 0xE6 and buf[i + 1] in (0xE6, 0xE7) and buf[i + 2] == 0:
            i += 3  # LLC: destination/source LSAP, quality
        if i >= end:
            return MALFORMED
        tag = buf[i]
        if tag == 0xDB and self.cipher is not None:
            n = self.cipher.decrypt(buf, i, end)
            if n < 0:
                return MALFORMED
            # The GCM tag is not checked (GHASH costs too much here): a wrong key shows as
            # plaintext that is not a well-formed data-notification.
            plain = self.cipher.plain_buf
            at = self.cipher.plain_start
            verdict = self._notification(plain, at, at + n, reading) if plain[at] == 0x0F else WRONG_KEY
            return verdict if verdict == OK else WRONG_KEY
        if tag == 0xDB or tag == 0xDF:
            return ENCRYPTED
        return self._notification(buf, i, end, reading)

    def _notification(self, buf, i, end, reading):
        tag = buf[i]
        if tag != 0x0F:
            return UNSUPPORTED
        i += 5  # tag, long-invoke-id-and-priority (4)
        if i >= end:
            return MALFORMED
        # date-time: 00 (absent), 0C + 12 bytes (Aidon, Kamstrup) or 09 0C + 12 bytes (Kaifa)
        if buf[i] == 0x09 and i + 1 < end and buf[i + 1] == 12:
            i += 1
        if buf[i] == 12:
            if i + 13 > end:
                return MALFORMED
            self._time(buf, i + 1, reading)
            i += 13
        elif buf[i] == 0:
            i += 1
        else:
            return MALFORMED
        return self._body(buf, i, end, reading)

    def _body(self, buf, i, end, reading):
        if i + 2 > end or buf[i] not in (1, 2):
            return MALFORMED
        count = buf[i + 1]  # top-level elements (< 128 in every known list)
        positional = None  # Kaifa lists without OBIS codes
        index = 0  # top-level leaf counter for positional lists
        while i < end:
            tag = buf[i]
            i += 1
            if tag == 1 or tag == 2:  # array / structure: walk its elements in order
                if i >= end:
                    return MALFORMED
                if buf[i] & 0x80:  # long count form never occurs in a HAN list
                    return MALFORMED
                i += 1
                continue
            if tag == 0:  # null-data: Kamstrup single-phase lists pad missing phases with it
                if self._key != _KEY_NONE and self._tag < 0:
                    self._key = _KEY_NONE  # an object without a value
                continue
            if tag == 0x09 or tag == 0x0A or tag == 0x0C:
                if i >= end:
                    return MALFORMED
                n = buf[i]
                if n & 0x80:
                    return MALFORMED
                pos = i + 1
                i = pos + n
            elif tag < len(_SIZES) and _SIZES[tag]:
                n = _SIZES[tag]
                pos = i
                i += n
            else:
                return MALFORMED
            if i > end:
                return MALFORMED
            if self._key != _KEY_NONE and self._tag < 0:
                self._pend(buf, tag, pos, n)  # the value of the object named just before
                continue
            if self._tag >= 0 and tag == 0x0F and not self._has_scaler:
                self._scaler = _number(buf, pos, 1, True)  # scaler of a scaler/unit structure
                self._has_scaler = True
                self.family = FAMILY_AIDON if self.family == FAMILY_UNKNOWN else self.family
                continue
            if self._tag >= 0 and tag == 0x16:
                continue  # the unit: implied by the object (W, Wh, var, varh, V, A)
            if tag == 0x09 and n == 6 and positional is None:
                self._commit(buf, reading)
                self._key = buf[pos] << 24 | buf[pos + 2] << 16 | buf[pos + 3] << 8 | buf[pos + 4]
                index += 1
                continue
            # an element without an OBIS code before it
            self._commit(buf, reading)
            if index == 0 and n <= 16 and tag in (0x09, 0x0A):
                self._family_from(buf, pos, n)
                if self.family == FAMILY_KAIFA:
                    positional = _KAIFA_LISTS.get(count)
            elif index == 0 and count == 1 and n <= 8:
                positional = _K1  # Kaifa list 1: the active power import alone
            if positional is not None and index < len(positional):
                self._key = positional[index]
                self._pend(buf, tag, pos, n)
            index += 1
        self._commit(buf, reading)
        if not self.values:
            return UNKNOWN_LIST
        reading.derive()
        return OK

    def _pend(self, buf, tag, pos, n):
        """Hold the value of the pending object until its scaler (if any) has been seen."""
        self._tag = tag
        self._vpos = pos
        self._vlen = n
        if n <= 8 and tag != 0x09 and tag != 0x0A and tag != 0x0C:
            self._value = _number(buf, pos, n, tag in _SIGNED)

    def _family_from(self, buf, pos, n):
        if _starts(buf, pos, n, _KFM):
            self.family = FAMILY_KAIFA
        elif _starts(buf, pos, n, _KAMSTRUP):
            self.family = FAMILY_KAMSTRUP
        elif _starts(buf, pos, n, _AIDON):
            self.family = FAMILY_AIDON

    def _commit(self, buf, reading):
        """Store the pending object (if it has a value and a slot), then forget it."""
        key = self._key
        tag = self._tag
        if key != _KEY_NONE and tag >= 0:
            if tag == 0x09 or tag == 0x0A or tag == 0x19:
                self._text(buf, key, reading)
            elif key >> 24 == 1 and key & 0xFF == 0 and tag != 0x0C and tag != 0x17 and tag != 0x18:
                self._number(key, reading)
            else:
                self.unknown += 1
        self._key = _KEY_NONE
        self._tag = -1
        self._has_scaler = False
        self._scaler = 0

    def _text(self, buf, key, reading):
        pos, n = self._vpos, self._vlen
        if key == _KEY_CLOCK and n == 12:
            self._time(buf, pos, reading)
        elif key == _KEY_METER_ID or key == _KEY_METER_ID_KAMSTRUP:
            reading.set_ident(buf, pos, pos + n)
        elif key == _KEY_LIST_ID:
            self._family_from(buf, pos, n)
        elif key == _KEY_TYPE_KAMSTRUP:
            # Kamstrup CT-connected meters (type 685...) send currents in mA, direct ones 10 mA
            self._ct = n >= 3 and buf[pos] == 0x36 and buf[pos + 1] == 0x38 and buf[pos + 2] == 0x35
        elif key != _KEY_TYPE:
            self.unknown += 1

    def _number(self, key, reading):
        c = (key >> 16) & 0xFF
        d = (key >> 8) & 0xFF
        if d == 7 and c < len(_INSTANT) and _INSTANT[c]:
            slot = _INSTANT[c] - 1
        elif d == 8 and 1 <= c <= 4:
            slot = c - 1  # 1.8.0 A+, 2.8.0 A-, 3.8.0 R+, 4.8.0 R- (Wh, varh)
        else:
            self.unknown += 1
            return
        scaler = self._scaler if self._has_scaler else self._default_scaler(c, d)
        value = self._value
        if not -9 <= scaler <= 9:
            self.unknown += 1  # no meter scales by more than 10^9: a damaged frame
            return
        if FIELDS[slot][1] == OUT_DEC:  # V, A, Hz, power factor: keep the decimals
            decimals = 0
            if scaler < 0:
                decimals = -scaler
            else:
                value *= 10**scaler
        else:  # W, Wh, var, varh as whole numbers
            if scaler >= 0:
                value *= 10**scaler
            elif value < 0:  # toward zero, in integers
                value = -(-value // 10 ** (-scaler))
            else:
                value //= 10 ** (-scaler)
            decimals = 0
        if not -0x80000000 <= value <= 0x7FFFFFFF:
            self.unknown += 1  # beyond the reading's 32-bit slots (2.1 GWh): not a home meter
            return
        reading.value[slot] = value
        reading.decimals[slot] = decimals
        reading.present[slot] = 1
        self.values += 1

    def _default_scaler(self, c, d):
        """Scalers of lists that send none (Kaifa and Kamstrup HAN specifications)."""
        family = self.family
        voltage = c == 32 or c == 52 or c == 72
        current = c == 31 or c == 51 or c == 71
        if family == FAMILY_KAIFA:
            if voltage:
                return -1  # 0.1 V
            if current:
                return -3  # mA
        elif family == FAMILY_KAMSTRUP:
            if current:
                return -3 if self._ct else -2
            if d == 8 and self.kamstrup_energy_wh == 10:
                return 1  # 0.01 kWh steps (Norway, Denmark)
        return 0

    def _time(self, buf, pos, reading):
        """COSEM date-time (12 bytes): year(2) month day weekday hour minute second
        hundredths deviation(2, minutes UTC - local, 0x8000 unknown) clock-status."""
        year = buf[pos] << 8 | buf[pos + 1]
        month = buf[pos + 2]  # (one name per line: a 5-tuple would allocate on MicroPython)
        day = buf[pos + 3]
        hour = buf[pos + 5]  # buf[pos + 4] is the weekday (Aidon writes Sunday as 0)
        minute = buf[pos + 6]
        second = buf[pos + 7]
        if not (2000 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60):
            return  # 0xFF "not specified" fields: no usable clock
        if second > 59:
            second = 0
        deviation = buf[pos + 9] << 8 | buf[pos + 10]
        status = buf[pos + 11]
        dst = DST_NONE
        if deviation == 0xFFC4:  # -60: CET (Kaifa MA304H4 sends this with status 00)
            dst = DST_WINTER
        elif deviation == 0xFF88:  # -120: CEST
            dst = DST_SUMMER
        elif status != 0xFF and deviation == 0x8000:
            dst = DST_SUMMER if status & 0x80 else DST_WINTER
        reading.value[METER_TIME] = (year - 2000) * 10000 + month * 100 + day
        reading.aux[METER_TIME] = hour * 10000 + minute * 100 + second
        reading.decimals[METER_TIME] = dst
        reading.present[METER_TIME] = 1


def _number(buf, pos, n, signed):
    v = 0
    for k in range(n):
        v = (v << 8) | buf[pos + k]
    if signed and buf[pos] & 0x80:
        v -= 1 << (8 * n)
    return v
