"""Facts about the HTTP request shared by the staff login (django-axes) and the portal.

``client_ip`` is the one place that decides who is on the other end of a request behind the
reverse proxies listed by ``TRUSTED_PROXY_COUNT`` (docs/operations.md, docs/portal.md).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def trusted_proxy_count() -> int:
    return int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)


def _clean_ip(value: str) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51000"
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request) -> str | None:
    """The subscriber's IP address.

    With ``TRUSTED_PROXY_COUNT`` = 0 (nothing proxies Enlace) it is ``REMOTE_ADDR`` and
    ``X-Forwarded-For`` is ignored (anyone can send it). With N trusted proxies, each appends the
    address it received the request from to ``X-Forwarded-For``, so the client is the N-th entry
    counted from the right; entries further left were written by the client and are not trusted.
    A request with fewer entries than proxies did not come through all of them: ``REMOTE_ADDR``.
    """
    remote = _clean_ip(request.META.get("REMOTE_ADDR", ""))
    count = trusted_proxy_count()
    if count <= 0:
        return remote
    forwarded = [item for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if len(forwarded) < count:
        return remote
    return _clean_ip(forwarded[-count]) or remote
