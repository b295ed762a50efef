# HTML form posts (application/x-www-form-urlencoded) for the setup and settings pages:
# bounded decoding, and merging into a configuration where an empty password field means
# "unchanged". Never mutates the current config. Pure core: no machine/network/socket/time.
from hanport.core import config as schema

MAX_FIELDS = 40
MAX_KEY = 64


def _unquote(text):
    raw = bytearray()
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == 0x2B:  # "+"
            raw.append(0x20)
        elif c == 0x25:  # "%XY"
            if i + 2 >= n:
                raise ValueError("broken %-escape")
            raw.append(int(bytes(text[i + 1 : i + 3]), 16))
            i += 2
        else:
            raw.append(c)
        i += 1
    return bytes(raw).decode()  # UnicodeError (a ValueError) for text that is not UTF-8


def decode_form(body):
    """bytes -> {name: value}. Raises ValueError with a message for anything malformed."""
    fields = {}
    if not body:
        return fields
    parts = body.split(b"&")
    if len(parts) > MAX_FIELDS:
        raise ValueError("too many fields")
    for part in parts:
        if not part:
            continue
        eq = part.find(b"=")
        key, value = (part, b"") if eq < 0 else (part[:eq], part[eq + 1 :])
        try:
            key = _unquote(key)
            value = _unquote(value)
        except (ValueError, UnicodeError):
            raise ValueError("form data is not valid UTF-8 URL encoding")
        if not key or len(key) > MAX_KEY:
            raise ValueError("bad field name")
        if key in fields:
            raise ValueError("field %s given twice" % key)
        fields[key] = value
    return fields


def apply_form(current, form, shown_keys):
    """(new config, errors). shown_keys: the config keys the page showed; each must be in the
    form, except booleans (an unchecked box sends nothing: False). Secrets left empty keep
    their current value. The result is validated as a whole; on errors it is None."""
    errors = {}
    raw = {}
    for key in current:
        raw[key] = current[key]
    for key in form:
        if key not in schema.SCHEMA and key not in ("save", "csrf"):
            errors[key] = "unknown field"
    for key in shown_keys:
        kind = schema.SCHEMA[key][0]
        value = form.get(key)
        if kind == "bool":  # an unchecked box sends nothing
            if value is None or value in ("", "off", "false", "0"):
                raw[key] = False
            elif value in ("on", "true", "1"):
                raw[key] = True
            else:
                errors[key] = "must be on or off"
        elif value is None:
            errors[key] = "missing from the form"  # a browser sends every field, empty or not
        elif key in schema.SECRET_KEYS and value == "":
            continue  # empty password field: unchanged
        elif kind == "int":
            text = value.strip()
            if not text.isdigit() or len(text) > 9:
                errors[key] = "must be a whole number " + schema.SCHEMA[key][3]
                continue
            raw[key] = int(text)
        else:
            raw[key] = value.strip() if key not in schema.SECRET_KEYS else value
    if errors:
        return None, errors
    cfg, errors = schema.validate(raw)
    return cfg, errors
