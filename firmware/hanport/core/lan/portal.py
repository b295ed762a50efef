# Setup-mode rules: when the dongle opens its setup network, the network's name and per-device
# password, the OS "am I online?" probe URLs that make phones open the setup page, and which
# settings each form shows. Pure core: must not import machine, network, socket, time, asyncio.
from hanport.core.const import const

AP_IP = "192.168.4.1"
WIFI_DOWN_SETUP_MS = const(300000)  # home network failing this long: the setup network opens too

# Captive-portal probes: any answer other than the expected one makes the OS show the portal.
PROBE_PATHS = (
    "/generate_204",  # Android, ChromeOS (expects 204)
    "/gen_204",  # Android variants
    "/hotspot-detect.html",  # Apple iOS/macOS (expects "Success")
    "/library/test/success.html",  # older Apple
    "/connecttest.txt",  # Windows 10/11
    "/ncsi.txt",  # Windows 7/8
    "/redirect",  # Windows
    "/canonical.html",  # Firefox
    "/success.txt",  # Firefox
)

SETUP_KEYS = (
    "wifi.ssid",
    "wifi.password",
    "mqtt.host",
    "mqtt.port",
    "mqtt.tls",
    "mqtt.user",
    "mqtt.password",
    "mqtt.prefix",
    "mqtt.ha_discovery",
    "http.url",
    "http.token",
    "http.interval_s",
    "meter.fuse_a",
    "admin.password",
)
SETTINGS_KEYS = SETUP_KEYS + (
    "device.id",
    "mqtt.ca",
    "mqtt.min_interval_s",
    "mqtt.keepalive_s",
    "peaks.preset",
    "peaks.rule",
    "peaks.prices",
    "peaks.fee_vat",
    "meter.key",
    "meter.kamstrup_energy_wh",
    "meter.crc",
    "mdns.enabled",
    "mdns.host",
)

# Setup passwords: 12 symbols from 31 that cannot be confused when read off a label or a
# console (no 0/O, 1/l/I): 59 bits, shown in groups of four.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def ap_ssid(mac):
    """Setup network name from the last two MAC bytes: hanport-1a2b."""
    return "hanport-%02x%02x" % (mac[-2], mac[-1])


def ap_password(random_bytes):
    """Per-device WPA2 password from random bytes (give 32), e.g. 'k7dq-2mzx-h9aw'. Bytes
    >= 248 are skipped so that every symbol is equally likely (248 = 8 * 31)."""
    out = ""
    picked = 0
    for b in random_bytes:
        if b >= 248:
            continue
        if picked and picked % 4 == 0:
            out += "-"
        out += _ALPHABET[b % 31]
        picked += 1
        if picked == 12:
            return out
    raise ValueError("not enough random bytes")


def setup_reason(cfg_ok, cfg, button_held, wifi_down_ms):
    """Why setup mode is on, or None. cfg_ok: the stored config exists and is valid."""
    if button_held:
        return "button"
    if not cfg_ok or not cfg["wifi.ssid"]:
        return "no_config"
    if wifi_down_ms is not None and wifi_down_ms >= WIFI_DOWN_SETUP_MS:
        return "wifi_failed"
    return None


def is_probe(path):
    return path in PROBE_PATHS


def setup_errors(cfg):
    """What the setup page requires beyond a valid config: a home network and an admin password
    (the settings page is locked without one)."""
    errors = {}
    if not cfg["wifi.ssid"]:
        errors["wifi.ssid"] = "choose or type your home network"
    if len(cfg["admin.password"]) < 8:
        errors["admin.password"] = "at least 8 characters; needed to change settings later"
    return errors
