# Setup/settings form decoding and merging, on both runtimes: bounded, clear errors, secrets
# unchanged when left empty, the current configuration never mutated.
from hanport.core import config
from hanport.core.lan.form import apply_form, decode_form
from support import form_body

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
    current["mqtt.tls"] = True
    cfg, errors = apply_form(current, decode_form(form_body(SHOWN, current, {"mqtt.tls": False})), SHOWN)
    assert errors == {} and cfg["mqtt.tls"] is False  # an unchecked box sends nothing
    cfg, errors = apply_form(current, decode_form(b"wifi.ssid=home"), SHOWN)
    assert cfg is None and errors["mqtt.host"] == "missing from the form"  # not a whole form: refused


def test_apply_form_errors_name_the_field():
    current = config.defaults()
    cases = [
        ({"mqtt.port": "99999"}, "mqtt.port"),
        ({"mqtt.port": "12ab"}, "mqtt.port"),
        ({"mqtt.tls": "maybe"}, "mqtt.tls"),
        ({"wifi.password": "short"}, "wifi.password"),
        ({"http.url": "javascript:alert(1)"}, "http.url"),
        ({"mqtt.host": "<script>alert(1)</script>"}, "mqtt.host"),
        ({"wifi.ssid": "x" * 40}, "wifi.ssid"),
        ({"admin.isroot": "1"}, "admin.isroot"),
    ]
    for changes, key in cases:
        cfg, errors = apply_form(current, decode_form(form_body(SHOWN, current, changes)), SHOWN)
        assert cfg is None and key in errors and len(errors) == 1, (changes, errors)
    # Markup in an SSID is data: stored as typed, shown as text by the pages.
    cfg, errors = apply_form(current, decode_form(form_body(SHOWN, current, {"wifi.ssid": "<script>"})), SHOWN)
    assert errors == {} and cfg["wifi.ssid"] == "<script>"
