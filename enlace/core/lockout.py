"""Staff login lockout (django-axes) with a second, per-address limit.

django-axes counts failed logins per user name + source IP (``AXES_FAILURE_LIMIT``, 5 by
default) and compares every lockout parameter with that one limit. Password spraying — a few
guesses at each of many user names from one address — never reaches it for any single user
name, so ``LockoutHandler`` also locks an address once the failures recorded from it, over every
user name, reach ``AXES_IP_FAILURE_LIMIT`` (30 by default) within the cool-off period. The
address is ``enlace.core.http.client_ip`` (``AXES_CLIENT_IP_CALLABLE``). Wrong current passwords
typed in the change-password form are counted as failed logins too (``core.views.account``).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum


def ip_failure_limit() -> int:
    return int(getattr(settings, "AXES_IP_FAILURE_LIMIT", 30) or 0)


def ip_failures(request) -> int:
    """Failures recorded from the request's address, over every user name, in the cool-off period."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def ip_locked(request) -> bool:
    limit = ip_failure_limit()
    return bool(limit) and ip_failures(request) >= limit


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler plus the per-address limit (module docstring)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or ip_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if ip_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
