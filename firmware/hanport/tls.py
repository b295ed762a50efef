# TLS client contexts for the network port (hanport/netport.py): CA verification from a DER or
# PEM file. Loaded only when MQTT or HTTP push use TLS, so a plain setup keeps its heap.
# Imports ssl and binascii only.
import sys

_MICROPYTHON = sys.implementation.name == "micropython"


def der_certificate(data):
    """DER bytes of the first certificate in a PEM or DER file. Some MicroPython builds'
    mbedtls have no PEM parser ("invalid cert"); DER is understood by all of them."""
    begin = data.find(b"-----BEGIN CERTIFICATE-----")
    if begin < 0:
        return data
    end = data.find(b"-----END CERTIFICATE-----", begin)
    if end < 0:
        raise ValueError("PEM certificate without END line")
    from binascii import a2b_base64

    body = data[begin + 27 : end]
    return a2b_base64(b"".join(body.split()))


def tls_context(ca_path=None):
    """TLS client context; with ca_path the server certificate is verified against that CA
    (the device clock must be set for the validity dates)."""
    import ssl

    if hasattr(ssl, "create_default_context") and not _MICROPYTHON:  # CPython
        ctx = ssl.create_default_context(cafile=ca_path) if ca_path else ssl._create_unverified_context()
        return ctx
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_path:
        with open(ca_path, "rb") as f:
            ctx.load_verify_locations(cadata=der_certificate(f.read()))
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
