"""API rate limits (docs/operations.md, "API throttling").

Each token — or logged-in operator, for the session-authenticated Swagger UI — may make
``API_THROTTLE_RATE`` requests, and each source address without credentials
``API_ANON_THROTTLE_RATE`` (``"<count>/<second|minute|hour|day>"``; empty turns a limit off).
Requests are counted in fixed windows in the cache with one atomic ``incr`` per request (Redis
in production, so every web process shares the count; DRF's own throttles keep a list of
timestamps per client, read and rewritten on every request). A request over the limit is
answered 429 with ``Retry-After`` (seconds until the window ends) in the API's error format
(``enlace.api.exceptions``). The rates are read from the settings on every request.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.throttling import BaseThrottle

from enlace.core.http import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"600/minute"`` → ``(600, 60)``; empty → ``None`` (no limit)."""
    rate = (rate or "").strip()
    if not rate:
        return None
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1].lower()]


class WindowThrottle(BaseThrottle):
    """At most N requests per client in each window of the rate's period."""

    setting = ""
    scope = ""

    def __init__(self):
        self.retry_after: float | None = None

    def client(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        rate = parse_rate(getattr(settings, self.setting, ""))
        client = self.client(request)
        if rate is None or client is None:
            return True
        limit, period = rate
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{client}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        if count <= limit:
            return True
        self.retry_after = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        return math.ceil(self.retry_after) if self.retry_after is not None else None


class TokenRateThrottle(WindowThrottle):
    """Per API token (a digest of it: keys never reach the cache), or per operator for a session."""

    setting = "API_THROTTLE_RATE"
    scope = "user"

    def client(self, request) -> str | None:
        if isinstance(request.auth, Token):
            return "token:" + hashlib.sha256(request.auth.key.encode()).hexdigest()[:32]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return None


class AnonRateThrottle(WindowThrottle):
    """Per source address (``client_ip``, behind ``TRUSTED_PROXY_COUNT`` proxies) without credentials."""

    setting = "API_ANON_THROTTLE_RATE"
    scope = "anon"

    def client(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        address = client_ip(request)
        return f"ip:{address}" if address else None
