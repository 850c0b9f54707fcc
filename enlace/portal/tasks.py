"""Celery tasks of the subscriber portal."""

from celery import shared_task
from celery.schedules import crontab

from enlace.core.tasks import register_periodic


@shared_task(name="enlace.portal.tasks.purge_login_failures", ignore_result=True)
def purge_login_failures() -> int:
    """Forget the failed portal logins older than a day (locks still in force are kept)."""
    from .services import login_failures_purge

    return login_failures_purge()


register_periodic(
    "portal-purge-login-failures", "enlace.portal.tasks.purge_login_failures", crontab(hour=4, minute=30)
)
