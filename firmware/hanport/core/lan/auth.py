# Who may change settings: HTTP Basic credentials checked against the admin password in
# constant time, and the same-origin rule for state-changing requests (a page on another
# site must not be able to post to the dongle). Pure core: no machine/network/socket/time.
import binascii


def same_secret(given, expected):
    """Constant-time comparison of two strings (timing does not reveal a matching prefix)."""
    a = given.encode()
    b = expected.encode()
    diff = len(a) ^ len(b)
    for i in range(len(a)):
        diff |= a[i] ^ b[i % len(b)] if b else 1
    return diff == 0


def basic_password(header):
    """The password of an 'Authorization: Basic base64(user:password)' header, or None. The
    user name is ignored: the dongle has one admin."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        text = binascii.a2b_base64(header[6:].strip().encode()).decode()  # bytes: every binascii takes them
    except (ValueError, UnicodeError):
        return None
    colon = text.find(":")
    return None if colon < 0 else text[colon + 1 :]


def is_admin(headers, admin_password):
    if not admin_password:
        return False  # no admin password set: nobody may change settings over the network
    given = basic_password(headers.get("authorization"))
    return given is not None and same_secret(given, admin_password)


def same_origin(headers):
    """True when a state-changing request comes from the dongle's own pages. Browsers send
    Origin on every POST (and Sec-Fetch-Site); a request from another site is refused. A
    request with neither (curl, scripts) is allowed: it carries no browser cookies or
    cached credentials of a victim, only what its sender typed."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host")
    return host is not None and (origin == "http://" + host or origin == "https://" + host)
