"""Background tasks of the core app, and the helper other apps use to schedule theirs.

Without ``CELERY_BROKER_URL`` every task runs eagerly in the calling process (``.delay()`` returns
an already finished result), so a small installation needs no broker. With a broker, run
``make worker`` (worker + beat). Tasks are named explicitly (``enlace.<app>.tasks.<name>``) so
that renaming a module never orphans messages already queued or rows in the beat schedule.
"""

import logging
import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "enlace:heartbeat"


def register_periodic(name: str, task: str, schedule, **options) -> None:
    """Add an entry to Celery beat's schedule (called at import time of an app's ``tasks.py``).

    ``schedule`` is seconds (float) or a ``celery.schedules.crontab``; ``options`` may carry
    ``args``, ``kwargs`` and ``options`` as in Celery's ``beat_schedule``. django-celery-beat copies
    the entries into the database when beat starts, where operators can change their times.
    """
    from config.celery import app

    entry = {"task": task, "schedule": schedule, **options}
    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), name: entry}


@shared_task(name="enlace.core.tasks.ping")
def ping(value: str = "pong") -> str:
    """Answer `value`: proves that a task reaches a worker and its result comes back."""
    return value


@shared_task(name="enlace.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> dict:
    """Scheduled every 5 minutes by beat: records that worker and beat are alive.

    The time and host of the last run are kept in the cache under ``HEARTBEAT_CACHE_KEY`` so that a
    monitoring check (or an operator page) can tell when background work stopped.
    """
    beat = {"time": timezone.now().isoformat(), "host": socket.gethostname()}
    cache.set(HEARTBEAT_CACHE_KEY, beat, timeout=None)
    logger.info("heartbeat from %s", beat["host"])
    return beat


def last_heartbeat() -> dict | None:
    """What the last ``heartbeat`` recorded, or None when it never ran (with this cache)."""
    return cache.get(HEARTBEAT_CACHE_KEY)


@shared_task(name="enlace.core.tasks.send_outbox", ignore_result=True)
def send_outbox(ids: list[int] | None = None) -> dict:
    """Send the due e-mails of the outbox (``enlace.core.mail``): only ``ids`` when a service
    kicks it after a commit, every due row when beat runs it (each minute: retries and rows whose
    kick was lost). Idempotent: rows are claimed, a second worker skips them."""
    from .mail import deliver

    return deliver(ids)


register_periodic("core-send-outbox", "enlace.core.tasks.send_outbox", 60.0)


@shared_task(name="enlace.core.tasks.refresh_dashboard", ignore_result=True)
def refresh_dashboard() -> str:
    """Recompute the home page's figures and charts (``enlace.core.dashboard``) into the cache:
    every 5 minutes on beat, and when the page finds them stale."""
    from .dashboard import refresh

    return refresh()["updated_at"]


register_periodic("core-refresh-dashboard", "enlace.core.tasks.refresh_dashboard", 300.0)
