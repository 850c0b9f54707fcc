"""The automatic recovery of failed messages: the body of the beat task
``enlace.messaging.tasks.recover_failed`` (every few minutes).

A message becomes *failed* after its retries (``delivery.RETRY_DELAYS``, up to
``MESSAGING_MAX_ATTEMPTS``) while the mail server or the provider stays unreachable. Without this
it would wait for an operator's "Resend"; here a failed message goes back to the queue by itself,
so the backlog goes out once the server answers again. The bounds:

- only failures that may pass: a recipient the server refused, a provider's 4xx or a provider's
  "undelivered" report is a *permanent* failure and is never re-queued automatically;
- only recent messages: created within ``MESSAGING_RECOVERY_MAX_AGE_HOURS`` (48 h), and still
  meaningful — an invoice message only while the invoice is open (a "due today" only on its due
  date, a reminder only before it), a suspension notice only while the contract is still in
  "Financeiro em atraso", a block notice only while it is still blocked;
- a cap and a backoff: at most ``len(RECOVERY_DELAYS)`` automatic re-queues per message, the n-th
  no sooner than ``RECOVERY_DELAYS[n]`` after it last failed; a re-queued message gets one attempt
  (its ``attempts`` stays at the maximum), so a server still down fails it again at once;
- e-mail is re-queued only when the SMTP server answers a probe (a connection opened and closed):
  while it is down nothing changes and no re-queue is spent.

Never twice: a failed message is one the server never accepted (an accepted e-mail is marked sent,
never failed); the re-queue is one conditional ``UPDATE … WHERE status = 'failed'`` on the same row
(the unique ``(rule, channel, key)`` row, no copy), so two beat runs re-queue it once, and the send
claims it with ``SELECT … FOR UPDATE SKIP LOCKED`` as any queued message.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from enlace.billing.models import OPEN_STATUSES
from enlace.contracts.models import AccessStatus

from .delivery import max_attempts
from .models import Channel, Event, Message, MessageStatus, MessagingSettings
from .providers import get_provider
from .services import after_quiet_hours

logger = logging.getLogger(__name__)

#: The n-th automatic re-queue of a message waits this long after it last failed; their number is
#: the cap on automatic re-queues.
RECOVERY_DELAYS = (
    datetime.timedelta(minutes=10),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=6),
)
#: Re-queued per run at most (the rest waits for the next run).
LIMIT = 5000


def max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "MESSAGING_RECOVERY_MAX_AGE_HOURS", 48)))


def smtp_reachable() -> bool:
    """Whether the e-mail server answers: a connection opened and closed (SMTP: EHLO and QUIT)."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "still down"
        logger.info("messaging recovery: the mail server does not answer yet (%s)", exc)
        return False
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - it answered; closing is not our concern
        logger.debug("closing the SMTP probe failed", exc_info=True)
    return True


def _backoff_due(now: datetime.datetime) -> Q:
    """The n-th re-queue only ``RECOVERY_DELAYS[n]`` after the last failure (n < the cap)."""
    due = Q(pk__in=[])
    for done, delay in enumerate(RECOVERY_DELAYS):
        due |= Q(recoveries=done, failed_at__lte=now - delay)
    return due


def _still_meaningful(today: datetime.date) -> Q:
    """A message whose subject still holds: the invoice still open (and, for a reminder or the due
    day's message, not past that day), the contract still in the state the notice speaks of."""
    invoice_open = Q(invoice__status__in=OPEN_STATUSES)
    return (
        Q(event__in=(Event.ISSUED, Event.OVERDUE)) & invoice_open
        | Q(event=Event.BEFORE_DUE, invoice__due_date__gt=today) & invoice_open
        | Q(event=Event.DUE_TODAY, invoice__due_date=today) & invoice_open
        | Q(event=Event.NOTICE, contract__access_status=AccessStatus.OVERDUE)
        | Q(event=Event.BLOCKED, contract__access_status=AccessStatus.AUTOMATIC_BLOCK)
        | Q(event__in=(Event.PAYMENT, Event.TRUST_UNLOCK))
    )


def recoverable(now: datetime.datetime | None = None):
    """The failed messages an automatic re-queue may take now (every channel; the probe and the
    provider's presence are checked by ``recover_failed``)."""
    now = now or timezone.now()
    return Message.objects.filter(
        _backoff_due(now),
        _still_meaningful(timezone.localdate(now)),
        status=MessageStatus.FAILED,
        permanent_failure=False,
        created_at__gte=now - max_age(),
    )


def recover_failed(*, now: datetime.datetime | None = None) -> list[int]:
    """Put the recoverable failed messages back in the queue (e-mail only when the server answers,
    SMS/WhatsApp only with a provider, after the quiet hours); the ids re-queued."""
    now = now or timezone.now()
    channels = []
    if smtp_reachable_if_needed(now):
        channels.append(Channel.EMAIL)
    if get_provider() is not None:
        channels += [Channel.SMS, Channel.WHATSAPP]
    if not channels:
        return []
    settings_row = MessagingSettings.load()
    ids: list[int] = []
    for channel in channels:
        candidates = list(
            recoverable(now)
            .filter(channel=channel)
            .order_by("failed_at", "id")
            .values_list("pk", flat=True)[:LIMIT]
        )
        if not candidates:
            continue
        when = now if channel == Channel.EMAIL else after_quiet_hours(now, settings_row)
        with transaction.atomic():
            # the conditional UPDATE: a row another run re-queued meanwhile is no longer 'failed'
            rows = Message.objects.select_for_update(skip_locked=True).filter(
                pk__in=candidates, status=MessageStatus.FAILED
            )
            taken = list(rows.values_list("pk", flat=True))
            Message.objects.filter(pk__in=taken, status=MessageStatus.FAILED).update(
                status=MessageStatus.QUEUED,
                recoveries=F("recoveries") + 1,
                # one attempt per re-queue: its next failure fails it again at once (``attempts``
                # stays at the maximum; it keeps counting every try)
                attempts=Greatest(F("attempts"), max(max_attempts() - 1, 0)),
                next_attempt_at=when,
            )
        ids += taken
    if ids:
        logger.info("messaging recovery: %s failed message(s) back in the queue", len(ids))
    return ids


def smtp_reachable_if_needed(now: datetime.datetime) -> bool:
    """Probe the mail server only when some failed e-mail waits for it."""
    if not recoverable(now).filter(channel=Channel.EMAIL).exists():
        return False
    return smtp_reachable()
