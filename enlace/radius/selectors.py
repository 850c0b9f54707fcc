"""Reads of the RADIUS area for the operator screens: logins with their online status, a login's
accounting (``radacct``, written by FreeRADIUS) and authentications (``radpostauth``), and the
customer search by login name (registered with ``customers.selectors.register_search``)."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from enlace.core.types import Viewer

from .freeradius import RadAcct, RadPostAuth
from .models import USERNAME_RE, Login, Nas

#: A customer search by login name looks at most this many logins (a prefix such as "a" is
#: refused below anyway; the list shows 25 customers per page).
LOGIN_SEARCH_LIMIT = 200


def customer_search_by_login(text: str) -> Q | None:
    """SPEC C-6: the customers whose login name starts with `text` (e.g. "mainet@fibra" finds the
    customer of mainet@fibra.com.br). An indexed prefix lookup on the login's unique name (on
    PostgreSQL Django adds a ``varchar_pattern_ops`` index for it); the ids go to the customer
    query as a list, so each search path keeps its own plan."""
    text = (text or "").strip()
    if len(text) < 3 or not USERNAME_RE.match(text):
        return None
    condition = Q(username__startswith=text)
    if text.lower() != text:
        condition |= Q(username__startswith=text.lower())
    ids = list(
        Login.objects.filter(condition)
        .order_by("username")
        .values_list("customer_id", flat=True)[:LOGIN_SEARCH_LIMIT]
    )
    return Q(pk__in=sorted(set(ids))) if ids else None


def open_session_subquery():
    return RadAcct.objects.filter(username=OuterRef("username"), acctstoptime__isnull=True)


def with_status(queryset: QuerySet) -> QuerySet:
    """Logins annotated with ``is_online`` and ``session_ip`` (the address of the newest open
    session), read from ``radacct`` by its partial index on open sessions.

    ``is_online`` is "the newest open session has an id", a per-row subquery with ``LIMIT 1``: an
    ``EXISTS`` in the SELECT list lets PostgreSQL hash every open session first (85,000 at 100,000
    subscribers: 90 ms for a page of 25 logins), whatever the page."""
    newest = open_session_subquery().order_by("-acctstarttime", "-radacctid")
    return queryset.annotate(
        newest_session_id=Subquery(newest.values("radacctid")[:1]),
        is_online=ExpressionWrapper(Q(newest_session_id__isnull=False), output_field=BooleanField()),
        session_ip=Subquery(newest.values("framedipaddress")[:1]),
    )


def pool_logins(pool, *, user: Viewer) -> QuerySet:
    """The logins of ``pool`` in the viewer's branches, with their online status, by address."""
    return with_status(
        Login.objects.restrict(user)
        .filter(radius_pool=pool)
        .select_related("customer", "contract", "allocation")
        .order_by("allocation__address", "username")
    )


def logins_of(*, user: Viewer, **lookup) -> list[Login]:
    """The logins of a contract or a customer (``contract=`` / ``customer=``) in the viewer's
    branches, with their online status, by name."""
    return list(
        with_status(
            Login.objects.restrict(user)
            .filter(**lookup)
            .select_related("contract", "plan", "radius_pool", "allocation")
            .order_by("username")
        )
    )


def assigned_ip(login: Login) -> str:
    """The address Enlace gives the login: its fixed IP or its radius pool address."""
    if login.fixed_ip:
        return login.fixed_ip
    allocation = getattr(login, "allocation", None) if login.radius_pool_id else None
    return allocation.address if allocation is not None else ""


def sessions(login: Login) -> QuerySet:
    """The login's sessions, newest first (index ``radacct_user_start_idx``)."""
    return RadAcct.objects.filter(username=login.username).order_by("-acctstarttime", "-radacctid")


def current_session(login: Login) -> RadAcct | None:
    return (
        RadAcct.objects.filter(username=login.username, acctstoptime__isnull=True)
        .order_by("-acctstarttime", "-radacctid")
        .first()
    )


def last_authentications(login: Login, limit: int = 10) -> list[RadPostAuth]:
    """The login's last authentications (accept or reject). The password column is never read."""
    return list(
        RadPostAuth.objects.filter(username=login.username)
        .order_by("-authdate", "-id")
        .only("id", "username", "reply", "authdate", "callingstationid", "calledstationid")[:limit]
    )


def nas_names(addresses) -> dict[str, str]:
    """Concentrator names by IP address, for the sessions shown."""
    ips = {str(a) for a in addresses if a}
    if not ips:
        return {}
    return dict(Nas.objects.filter(ip__in=ips).values_list("ip", "name"))


def duration_text(value: datetime.timedelta | None) -> str:
    """``3 d 04:05:06`` / ``04:05:06``."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days} d {clock}" if days else clock


def session_duration(session: RadAcct) -> datetime.timedelta | None:
    """How long the session lasted (closed) or has lasted so far (open): FreeRADIUS's session time
    is only as fresh as the last interim update, so an open session counts from its start."""
    if session.acctstarttime is None:
        return session.duration
    if session.acctstoptime is None:
        return timezone.now() - session.acctstarttime
    return session.duration
