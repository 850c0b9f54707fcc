"""Tidying accounting sessions (``radacct``, written by FreeRADIUS; reads are in ``selectors``).

A session whose concentrator stopped sending accounting (it rebooted, lost the link to
FreeRADIUS, dropped the Stop) would stay "online" for ever and count against Simultaneous-Use.
``close_stale_sessions`` closes it after N interim intervals without an update, at its last
update, with terminate cause ``Stale-Session`` (``manage.py radius_close_stale``, and the beat
task ``enlace.radius.tasks.close_stale_sessions``).
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .freeradius import RadAcct
from .models import RadiusSettings

STALE_CAUSE = "Stale-Session"


def open_sessions():
    return RadAcct.objects.filter(acctstoptime__isnull=True)


def stale_cutoff(*, intervals: int | None = None, interval: int | None = None, now=None) -> datetime.datetime:
    params = RadiusSettings.load()
    intervals = params.radius_stale_intervals if intervals is None else intervals
    interval = params.radius_interim_interval if interval is None else interval
    if intervals < 1 or interval < 1:
        raise ValueError("intervals and interval must be positive")
    return (now or timezone.now()) - datetime.timedelta(seconds=intervals * interval)


def stale_sessions(*, intervals: int | None = None, interval: int | None = None, now=None):
    """Open sessions whose last update (or start, before any update) is older than
    ``intervals`` × ``interval`` seconds (defaults: the general parameters)."""
    cutoff = stale_cutoff(intervals=intervals, interval=interval, now=now)
    return open_sessions().filter(
        Q(acctupdatetime__lt=cutoff) | Q(acctupdatetime__isnull=True, acctstarttime__lt=cutoff)
    )


def close_stale_sessions(*, intervals: int | None = None, interval: int | None = None, now=None) -> int:
    """Close the stale sessions in one UPDATE (a session updated meanwhile no longer matches):
    stop time = last update (or start), terminate cause ``Stale-Session``. Returns how many."""
    return stale_sessions(intervals=intervals, interval=interval, now=now).update(
        acctstoptime=Coalesce("acctupdatetime", "acctstarttime"),
        acctterminatecause=STALE_CAUSE,
    )
