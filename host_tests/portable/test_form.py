# Setup/settings form decoding and merging, on both runtimes: bounded, clear errors, secrets
# unchanged when left empty, the current configuration never mutated.
from hanport.core import config
from hanport.core.form import apply_form, decode_form

SHOWN = ("wifi.ssid", "wifi.password", "mqtt.host", "mqtt.port", "mqtt.tls", "mqtt.user", "mqtt.password", "http.url")


def _raises(body):
    try:
        decode_form(body)
    except ValueError:
        return True
    return False


def test_decode_form():
    assert decode_form(b"") == {}
    got = decode_form(b"wifi.ssid=My+Home%21&mqtt.port=1883&empty=&flag")
    assert got == {"wifi.ssid": "My Home!", "mqtt.port": "1883", "empty": "", "flag": ""}
    assert decode_form(b"wifi.ssid=%C3%85sa") == {"wifi.ssid": "\u00c5sa"}
    for bad in (
        b"a=%ZZ",
        b"a=%4",
        b"a=%ff%fe",
        b"a=1&a=2",
        b"=x",
        b"&".join([b"k%d=v" % i for i in range(41)]),
        b"k" * 65 + b"=v",
    ):
        assert _raises(bad), bad


def test_apply_form_secrets_unchanged_and_no_mutation():
    current, _ = config.validate(
        {"wifi.ssid": "home", "wifi.password": "old-secret-pw", "mqtt.host": "b", "mqtt.user": "u", "mqtt.password": "mq-old"}
    )
    before = dict(current)
    form = decode_form(
        b"wifi.ssid=home2&wifi.password=&mqtt.host=broker.lan&mqtt.port=8883&mqtt.tls=on&mqtt.user=u&mqtt.password=&http.url="
    )
    cfg, errors = apply_form(current, form, SHOWN)
    assert errors == {} and cfg["wifi.ssid"] == "home2" and cfg["mqtt.port"] == 8883 and cfg["mqtt.tls"] is True
    assert cfg["wifi.password"] == "old-secret-pw" and cfg["mqtt.password"] == "mq-old"
    assert current == before  # never mutated
    cfg, errors = apply_form(current, decode_form(b"wifi.ssid=home&mqtt.host=b&mqtt.user=u&mqtt.port=1883"), SHOWN)
    assert cfg["mqtt.tls"] is False  # an unchecked box sends nothing


def test_apply_form_errors_name_the_field():
    current = config.defaults()
    cases = [
        (b"mqtt.port=99999", "mqtt.port"),
        (b"mqtt.port=12ab", "mqtt.port"),
        (b"wifi.password=short", "wifi.password"),
        (b"http.url=javascript:alert(1)", "http.url"),
        (b"wifi.ssid=" + b"x" * 40, "wifi.ssid"),
        (b"admin.isroot=1", "admin.isroot"),
    ]
    for body, key in cases:
        cfg, errors = apply_form(current, decode_form(body), SHOWN)
        assert cfg is None and key in errors, (body, errors)
    # Markup is data: stored as typed, escaped only when a page shows it.
    cfg, errors = apply_form(current, decode_form(b"wifi.ssid=%3Cscript%3E"), SHOWN)
    assert errors == {} and cfg["wifi.ssid"] == "<script>"
