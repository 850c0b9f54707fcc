"""Celery tasks of the subscriber portal."""

import logging

from celery import shared_task
from celery.schedules import crontab

from enlace.core.tasks import register_periodic

logger = logging.getLogger(__name__)


@shared_task(name="enlace.portal.tasks.send_password_reset", ignore_result=True)
def send_password_reset(subject: str, body: str, recipients: list[str]) -> bool:
    """Kept for messages queued before the e-mail outbox: puts the e-mail in the outbox
    (``enlace.core.mail``), which sends and retries it. New resets are queued by the service."""
    from enlace.core import mail

    mail.enqueue(to=recipients, subject=subject, text=body)
    return True


@shared_task(name="enlace.portal.tasks.purge_login_failures", ignore_result=True)
def purge_login_failures() -> int:
    """Forget the failed portal logins older than a day (locks still in force are kept)."""
    from .services import login_failures_purge

    return login_failures_purge()


register_periodic(
    "portal-purge-login-failures", "enlace.portal.tasks.purge_login_failures", crontab(hour=4, minute=30)
)
