"""The e-mail outbox: every e-mail Enlace sends is first a row of ``OutboundEmail``.

A service calls ``enqueue(...)`` inside its own transaction: the row commits with the change that
causes it (nothing is sent for a change that rolled back) and survives a process that dies right
after the commit (nothing is lost). After the commit, ``enqueue`` kicks the task
``enlace.core.tasks.send_outbox`` for the new row; beat also runs that task every minute for
whatever is due (retries, rows whose kick was lost).

``deliver()`` (the task's body) claims due rows with ``select_for_update(skip_locked=True)`` and
pushes their next attempt ``CLAIM_SECONDS`` ahead in a short transaction, so that two workers never
take the same row; it then talks to the SMTP server outside any transaction and marks each row
sent right after the server accepted it. A failure records the error and retries with exponential
backoff (``RETRY_DELAYS``) until ``MAX_ATTEMPTS``; a recipient the server refuses outright fails at
once. The one window for a copy sent twice is a process that dies between the server's "250 OK"
and the status write (docs/operations.md, "What happens when the mail server is down").

``dedup_key`` (unique) makes an enqueue idempotent: a second enqueue with the same key returns the
first row and sends nothing more.
"""

from __future__ import annotations

import base64
import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: Attempts before a row is given up (``failed``); the delays between them, in seconds (the last
#: one repeats): about a day of retries in all.
MAX_ATTEMPTS = 10
RETRY_DELAYS = (60, 120, 300, 600, 1800, 3600, 3600 * 3, 3600 * 6)
#: How long a claimed row is reserved for the worker that claimed it (a worker that dies while
#: sending leaves its rows to be taken again after this).
CLAIM_SECONDS = 300
BATCH = 50


class OutboundEmail(models.Model):
    """One e-mail to send (or sent): the outbox of ``enlace.core.mail``."""

    branch_scope = None  # no branch: read by the outbox task only

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    #: ``[{"filename", "mimetype", "content" (base64)}]``
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        app_label = "core"
        ordering = ["next_attempt_at", "id"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sent", "failed"]),
                name="outbound_email_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbound_email_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    def message(self, connection=None) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            self.subject, self.text, settings.DEFAULT_FROM_EMAIL, list(self.to), connection=connection
        )
        if self.html:
            email.attach_alternative(self.html, "text/html")
        for item in self.attachments:
            email.attach(item["filename"], base64.b64decode(item["content"]), item.get("mimetype"))
        return email


def enqueue(
    *,
    to,
    subject: str,
    text: str,
    html: str | None = None,
    dedup_key: str | None = None,
    attachments=None,
) -> OutboundEmail:
    """Put an e-mail in the outbox, in the caller's transaction, and send it after the commit.

    ``to``: an address or a list of them; ``attachments``: ``(filename, bytes, mimetype)`` tuples.
    With a ``dedup_key`` already in the outbox, nothing new is queued (the existing row is returned).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    values = {
        "to": recipients,
        "subject": " ".join(str(subject).split())[:255],  # a header holds one line
        "text": str(text),
        "html": str(html or ""),
        "attachments": [
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in (attachments or ())
        ],
    }
    if dedup_key:
        email, created = OutboundEmail.objects.get_or_create(dedup_key=dedup_key, defaults=values)
        if not created:
            return email
    else:
        email = OutboundEmail.objects.create(**values)
    transaction.on_commit(lambda: _kick(email.pk))
    return email


def _kick(pk: int) -> None:
    """Send the new row now (a worker with a broker, or this process when eager). A broker that
    cannot be reached loses only the kick: beat's periodic run sends the row."""
    from .tasks import send_outbox

    try:
        send_outbox.delay([pk])
    except Exception:  # noqa: BLE001 - the row is committed; the periodic run sends it
        logger.exception("could not queue the outbox task for e-mail %s", pk)


def _retry_at(attempts: int, now: datetime.datetime) -> datetime.datetime:
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return now + datetime.timedelta(seconds=delay)


def _claim(ids, now) -> list[OutboundEmail]:
    """Take up to ``BATCH`` due rows (of ``ids`` when given) for this worker: locked rows are
    another worker's and skipped; the claimed ones are pushed ``CLAIM_SECONDS`` ahead."""
    with transaction.atomic():
        due = OutboundEmail.objects.select_for_update(skip_locked=True).filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(due.order_by("next_attempt_at", "id")[:BATCH])
        if rows:
            OutboundEmail.objects.filter(pk__in=[r.pk for r in rows]).update(
                attempts=models.F("attempts") + 1,
                next_attempt_at=now + datetime.timedelta(seconds=CLAIM_SECONDS),
            )
    for row in rows:
        row.attempts += 1
    return rows


def _failed(row: OutboundEmail, error: Exception | str, *, permanent: bool = False) -> None:
    now = timezone.now()
    row.last_error = str(error)[:2000] or error.__class__.__name__
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = OutboundEmail.Status.FAILED
    else:
        row.next_attempt_at = _retry_at(row.attempts, now)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=row.status, next_attempt_at=row.next_attempt_at, last_error=row.last_error
    )
    logger.warning("e-mail %s to %s not sent (attempt %s): %s", row.pk, row.to, row.attempts, row.last_error)


def deliver(ids=None, *, now: datetime.datetime | None = None) -> dict:
    """Send what is due (only ``ids`` when given); returns ``{"sent", "retry", "failed"}``."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        rows = _claim(ids, now or timezone.now())
        if not rows:
            return counts
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except Exception as exc:  # noqa: BLE001 - the server is down: every claimed row waits
            for row in rows:
                _failed(row, exc)
                counts["failed" if row.status == OutboundEmail.Status.FAILED else "retry"] += 1
            return counts
        try:
            for row in rows:
                try:
                    connection.send_messages([row.message(connection)])
                except smtplib.SMTPRecipientsRefused as exc:
                    _failed(row, exc, permanent=True)
                except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
                    _failed(row, exc)
                else:
                    # Right after the server's acceptance: the only window for a second copy.
                    OutboundEmail.objects.filter(pk=row.pk).update(
                        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
                    )
                    row.status = OutboundEmail.Status.SENT
                    counts["sent"] += 1
                    continue
                counts["failed" if row.status == OutboundEmail.Status.FAILED else "retry"] += 1
        finally:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                logger.debug("closing the SMTP connection failed", exc_info=True)
        if len(rows) < BATCH:
            return counts
