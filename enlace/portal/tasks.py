"""Celery tasks of the subscriber portal."""

import logging

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import send_mail

from enlace.core.tasks import register_periodic

logger = logging.getLogger(__name__)


@shared_task(name="enlace.portal.tasks.send_password_reset", ignore_result=True)
def send_password_reset(subject: str, body: str, recipients: list[str]) -> bool:
    """Send a password-reset e-mail. A mail server that is down is logged, never raised: "forgot my
    password" answers the same page whether or not the account exists (with a broker the send
    also leaves the request, so its time tells nothing either)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception:
        logger.exception("portal password-reset e-mail to %s failed", recipients)
        return False
    return True


@shared_task(name="enlace.portal.tasks.purge_login_failures", ignore_result=True)
def purge_login_failures() -> int:
    """Forget the failed portal logins older than a day (locks still in force are kept)."""
    from .services import login_failures_purge

    return login_failures_purge()


register_periodic(
    "portal-purge-login-failures", "enlace.portal.tasks.purge_login_failures", crontab(hour=4, minute=30)
)
