# Configuration schema: defaults, validation with a clear message per field, version, and a
# redacted view. Pure: the file itself is read and written by svc/store.py.
# Pure core: must not import machine, network, socket, time or asyncio.

VERSION = 1
SECRET_KEYS = ("wifi.password", "mqtt.password", "http.token", "admin.password", "meter.key")

# key: (type, default, check, help). Types: "str", "int", "bool". check: (min, max) for ints,
# max length for strings.
SCHEMA = {
    "device.id": ("str", "", 32, "letters, digits, - and _ (default: from the MAC address)"),
    "wifi.ssid": ("str", "", 32, "the home network's name"),
    "wifi.password": ("str", "", 64, "8-63 characters, or empty for an open network"),
    "mqtt.host": ("str", "", 253, "broker host name or IP; empty disables MQTT"),
    "mqtt.port": ("int", 1883, (1, 65535), "1-65535"),
    "mqtt.user": ("str", "", 64, ""),
    "mqtt.password": ("str", "", 128, ""),
    "mqtt.tls": ("bool", False, None, "true or false"),
    "mqtt.ca": ("str", "", 128, "path to a DER or PEM CA certificate on the device"),
    "mqtt.prefix": ("str", "hanport", 64, "topic prefix without wildcards"),
    "mqtt.ha_discovery": ("bool", True, None, "true or false"),
    "mqtt.min_interval_s": ("int", 0, (0, 3600), "0-3600 seconds between state messages"),
    "mqtt.keepalive_s": ("int", 60, (10, 3600), "10-3600 seconds"),
    "http.url": ("str", "", 256, "http:// or https:// URL; empty disables HTTP push"),
    "http.token": ("str", "", 256, "bearer token (optional)"),
    "http.interval_s": ("int", 10, (0, 3600), "0 (every telegram) to 3600 seconds"),
    "admin.password": ("str", "", 64, ""),
    "peaks.preset": ("str", "max1", 32, "the grid operator's effekttariff rule, or custom (docs/effekttariff.md)"),
    "peaks.rule": ("str", "", 240, "your own rule when peaks.preset is custom, e.g. top=3 days weekdays hours=7-20 months=11-3"),
    "peaks.prices": ("str", "", 120, "kr per kW and month, e.g. 52.50 or 4-10:52,11-3:70 (empty: the operator's, if published)"),
    "peaks.fee_vat": ("bool", True, None, "true (fees with 25 % VAT) or false"),
    "meter.key": ("str", "", 47, "32 hex digits from the grid operator (encrypted binary meters), or empty"),
    "meter.kamstrup_energy_wh": ("int", 1, (1, 10), "1 (Sweden) or 10 (Norway, Denmark)"),
    "meter.crc": ("str", "auto", 8, "auto, required, or optional (unsafe: any telegram without a CRC)"),
    "meter.fuse_a": ("int", 0, (0, 400), "the main fuse in A, e.g. 16, 20 or 25 (0: not given)"),
    "mdns.enabled": ("bool", True, None, "true (found on the LAN by Home Assistant, evcc, ...) or false"),
    "mdns.host": ("str", "", 63, "host name on the LAN without .local (default: hanport- and the MAC's last 6 hex digits)"),
}
CRC_POLICIES = ("auto", "required", "optional")  # core/p1/decoder.py


def defaults():
    return {key: SCHEMA[key][1] for key in SCHEMA}


def _id_ok(text):
    for ch in text:
        if not (ch.isalpha() or ch.isdigit() or ch in "-_"):
            return False
    return True


def _label_ok(text):
    """A DNS host label as mDNS announces it (RFC 1123): a-z, 0-9 and '-', no '-' at either end."""
    if text[0] == "-" or text[-1] == "-":
        return False
    for ch in text:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-"):
            return False
    return True


def _host_ok(text):
    for ch in text:
        if not (ch.isalpha() or ch.isdigit() or ch in ".-:") or ord(ch) > 127:
            return False
    return not text.startswith("-") and not text.startswith(".")


_FORMS = 'unknown setting %s: write "section.name": value or {"section": {"name": value}}'


def _flatten(raw, errors):
    """Dotted keys from a file written either way: {"mqtt.host": ...} or {"mqtt": {"host": ...}}
    (what people write by hand). One level of sections; anything deeper is an error."""
    flat = {}
    for key in raw:
        value = raw[key]
        if not isinstance(value, dict):
            if key in flat:
                errors[key] = "set twice (as a dotted key and in a section)"
            flat[key] = value
            continue
        for name in value:
            full = "%s.%s" % (key, name)
            inner = value[name]
            if isinstance(inner, dict):
                errors[full] = 'a value, not a section: {"%s": {"%s": value}}' % (key, name)
            elif full in flat:
                errors[full] = "set twice (as a dotted key and in a section)"
            else:
                flat[full] = inner
    return flat


def validate(raw):
    """raw: dict of dotted keys -> values (JSON types). Returns (config, errors): config is the
    full config with defaults filled in when errors is empty; errors maps key -> message."""
    errors = {}
    cfg = defaults()
    if not isinstance(raw, dict):
        return None, {"": "configuration must be a JSON object"}
    raw = _flatten(raw, errors)
    version = raw.get("version", VERSION)
    if version != VERSION:
        errors["version"] = "unsupported configuration version %r" % (version,)
    for key in raw:
        if key == "version":
            continue
        if key not in SCHEMA:
            errors[key] = "unknown setting" if "." in key else _FORMS % key
            continue
        kind, _, check, help_text = SCHEMA[key]
        value = raw[key]
        if kind == "bool":
            if value is not True and value is not False:
                errors[key] = "must be " + help_text
                continue
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not check[0] <= value <= check[1]:
                errors[key] = "must be a whole number " + help_text
                continue
        else:
            if not isinstance(value, str):
                errors[key] = "must be text"
                continue
            if len(value) > check:
                errors[key] = "at most %d characters" % check
                continue
            if "\x00" in value:
                errors[key] = "must not contain NUL characters"
                continue
        cfg[key] = value
    _cross_checks(cfg, errors)
    if errors:
        return None, errors
    return cfg, errors


def _cross_checks(cfg, errors):
    if cfg["device.id"] and not _id_ok(cfg["device.id"]):
        errors["device.id"] = "letters, digits, - and _ only"
    pw = cfg["wifi.password"]
    if pw and not 8 <= len(pw) <= 63:
        errors["wifi.password"] = "WPA2 needs 8-63 characters"
    prefix = cfg["mqtt.prefix"]
    if not prefix or "#" in prefix or "+" in prefix or prefix.startswith("/") or prefix.endswith("/"):
        errors["mqtt.prefix"] = "a topic prefix such as hanport: no #, +, or leading/trailing /"
    if not _host_ok(cfg["mqtt.host"]):
        errors["mqtt.host"] = "a host name or IP address (letters, digits, . - and : only)"
    url = cfg["http.url"]
    if url and not ((url.startswith("http://") or url.startswith("https://")) and len(url.split("/")[2]) > 0):
        errors["http.url"] = "an address such as http://192.168.1.10:8123/api/han"
    elif url and not _printable(url):
        errors["http.url"] = "no spaces, quotes, < or > in the address"
    if cfg["mqtt.ca"] and not cfg["mqtt.tls"]:
        errors["mqtt.ca"] = "a CA certificate needs mqtt.tls = true"
    _check_peaks(cfg, errors)
    key = cfg["meter.key"]
    if key and (len("".join(key.split())) != 32 or not _hex_ok(key)):
        errors["meter.key"] = "the AES-128 key: 32 hex digits (0-9, a-f), spaces allowed"
    if cfg["meter.kamstrup_energy_wh"] not in (1, 10):
        errors["meter.kamstrup_energy_wh"] = "1 (Sweden) or 10 (Norway, Denmark)"
    if cfg["meter.crc"] not in CRC_POLICIES:
        errors["meter.crc"] = "auto (telegrams without a CRC only from meters that never send one), required or optional"
    if cfg["mdns.host"] and not _label_ok(cfg["mdns.host"]):
        errors["mdns.host"] = "1-63 of a-z, 0-9 and -, not starting or ending with - (e.g. hanport-garage)"
    if cfg["mqtt.user"] and not cfg["mqtt.host"]:
        errors["mqtt.user"] = "set mqtt.host too"


def _check_peaks(cfg, errors):
    if "peaks.preset" in errors or "peaks.rule" in errors or "peaks.prices" in errors:
        return  # already told (too long, not text): the defaults in cfg are not what was sent
    from hanport.core.tariff.presets import NAMES

    preset = cfg["peaks.preset"]
    if preset != "custom" and preset not in NAMES:
        errors["peaks.preset"] = "one of %s, or custom (your own rule in peaks.rule)" % ", ".join(NAMES)
        return
    if preset != "custom" and cfg["peaks.rule"]:
        errors["peaks.rule"] = "your own rule counts only with peaks.preset = custom"
        return
    if preset == "custom":
        from hanport.core.tariff.rulewords import parse

        rule, err = parse(cfg["peaks.rule"])
        if err:
            errors["peaks.rule"] = err
            return
        rules = [rule]
    else:
        from hanport.core.tariff.presets import load

        rules = [entry[2] for entry in load(preset)[1]]  # stored parsed: no parser for a preset
    if cfg["peaks.prices"]:
        from hanport.core.tariff.rulewords import parse_prices

        for rule in rules:
            err = parse_prices(cfg["peaks.prices"], rule)
            if err:
                errors["peaks.prices"] = err
                return


def _hex_ok(text):
    for ch in text:
        if ch not in "0123456789abcdefABCDEF ":
            return False
    return True


def _printable(text):
    for ch in text:
        if ord(ch) <= 32 or ord(ch) > 126 or ch in "\"'<>`":
            return False
    return True


def redacted(cfg):
    """A copy safe for logs, pages and API answers: secrets become "***" (or "" when unset)."""
    out = {}
    for key in cfg:
        out[key] = ("***" if cfg[key] else "") if key in SECRET_KEYS else cfg[key]
    return out


def to_file(cfg):
    out = {"version": VERSION}
    for key in cfg:
        out[key] = cfg[key]
    return out
