"""Sending queued messages: the body of the task ``enlace.messaging.tasks.send_messages``.

Like the core outbox (``enlace.core.mail``), a worker claims due rows with
``select_for_update(skip_locked=True)`` and pushes their next attempt ``CLAIM_SECONDS`` ahead in a
short transaction, so two workers never take the same row; it talks to the server outside any
transaction and marks the rows the server accepted as sent in groups of ``SENT_FLUSH`` (one
UPDATE per group: a worker killed in between may send up to that many e-mails twice). A failure is recorded on
the row and retried with exponential backoff (``RETRY_DELAYS``) until
``settings.MESSAGING_MAX_ATTEMPTS``, then the row is ``failed``; a recipient the server refuses
outright (or a provider's 4xx) fails at once, for good. A failed row goes back to the queue by
itself while the failure may pass (``recovery.py``, the beat task ``recover_failed``), or by an
operator's "resend".

E-mail goes through Django's SMTP backend, a few connections at once per batch (``BATCH`` messages,
``MESSAGING_SMTP_CONNECTIONS`` lanes, 4: threads that only talk to the server); the
issue e-mail attaches the boleto PDF rendered at send time, plus what ``attachments.register``
adds (the fiscal document's PDF once the fiscal app registers it). SMS and WhatsApp go through the
configured provider (``providers.py``), never during the quiet hours, and at most
``MessagingSettings.rate_per_minute`` a minute per provider (a counter per minute in the cache,
shared by every worker when the cache is Redis).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import queue
import smtplib
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.utils import timezone

from . import attachments
from .models import Channel, Message, MessageStatus, MessagingSettings
from .providers import Provider, ProviderError, get_provider
from .rendering import text_as_html
from .services import in_quiet_hours

logger = logging.getLogger(__name__)

RETRY_DELAYS = (60, 300, 900, 1800, 3600, 3600 * 3, 3600 * 6)
CLAIM_SECONDS = 300
BATCH = 400
#: Accepted e-mails are marked sent in groups of this many: a worker killed between the server's
#: acceptance and the write may send up to this many e-mails a second time when the claim expires.
SENT_FLUSH = 20


def max_attempts() -> int:
    return int(getattr(settings, "MESSAGING_MAX_ATTEMPTS", 8))


def _claim(channel: str, ids, now: datetime.datetime, limit: int) -> list[Message]:
    with transaction.atomic():
        due = Message.objects.select_for_update(skip_locked=True).filter(
            status=MessageStatus.QUEUED, channel=channel, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(due.order_by("next_attempt_at", "id")[:limit])
        if rows:
            Message.objects.filter(pk__in=[r.pk for r in rows]).update(
                attempts=models.F("attempts") + 1,
                next_attempt_at=now + datetime.timedelta(seconds=CLAIM_SECONDS),
            )
    for row in rows:
        row.attempts += 1
    return rows


def _failed(row: Message, error, counts: dict, *, permanent: bool = False) -> None:
    row.last_error = str(error)[:2000] or error.__class__.__name__
    if permanent or row.attempts >= max_attempts():
        row.status = MessageStatus.FAILED
        row.failed_at = timezone.now()
        row.permanent_failure = permanent
        counts["failed"] += 1
    else:
        delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1]
        row.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
        counts["retry"] += 1
    Message.objects.filter(pk=row.pk).update(
        status=row.status,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        failed_at=row.failed_at,
        permanent_failure=row.permanent_failure,
    )
    logger.warning(
        "message %s (%s) not sent, attempt %s: %s", row.pk, row.channel, row.attempts, row.last_error
    )


def _sent(row: Message, counts: dict, provider_id: str = "") -> None:
    now = timezone.now()
    Message.objects.filter(pk=row.pk).update(
        status=MessageStatus.SENT, sent_at=now, last_error="", provider_id=provider_id
    )
    row.status, row.sent_at, row.provider_id = MessageStatus.SENT, now, provider_id
    counts["sent"] += 1


class _SentMarks:
    """E-mails the server accepted, written as sent every ``SENT_FLUSH`` messages (one UPDATE, one
    commit, instead of one per message) and before the batch ends. ``slots`` bounds what the SMTP
    lanes may have accepted and not yet seen written: a lane takes a slot before each message, a
    write gives the slots of its messages back."""

    def __init__(self, counts: dict):
        self.counts = counts
        self.pending: list[Message] = []
        self.slots = threading.Semaphore(SENT_FLUSH)
        self.stop = threading.Event()

    def add(self, row: Message) -> None:
        self.pending.append(row)
        if len(self.pending) >= SENT_FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        now = timezone.now()
        Message.objects.filter(pk__in=[r.pk for r in self.pending]).update(
            status=MessageStatus.SENT, sent_at=now, last_error=""
        )
        for row in self.pending:
            row.status, row.sent_at = MessageStatus.SENT, now
            self.slots.release()
        self.counts["sent"] += len(self.pending)
        self.pending = []


def email_of(row: Message, connection=None) -> EmailMultiAlternatives:
    to = [address for address in row.recipient.split(";") if address]
    email = EmailMultiAlternatives(
        row.subject, row.text, settings.DEFAULT_FROM_EMAIL, to, connection=connection
    )
    email.attach_alternative(row.html or text_as_html(row.text), "text/html")
    for filename, content, mimetype in attachments.for_message(row):
        email.attach(filename, content, mimetype)
    return email


def smtp_lanes() -> int:
    return max(1, int(getattr(settings, "MESSAGING_SMTP_CONNECTIONS", 4)))


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a broken connection
        logger.debug("closing the SMTP connection failed", exc_info=True)


def _lane(connection, emails: list, marks: _SentMarks, results: queue.SimpleQueue) -> None:
    """One SMTP connection's share of the batch (a thread: it talks to the server only, the
    database stays with the caller). Every message ends as ``(row, error or None)`` in ``results``."""
    try:
        if connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()
    except Exception as exc:  # noqa: BLE001 - this lane's messages wait for a retry
        for row, _email in emails:
            results.put((row, exc))
        return
    try:
        for row, email in emails:
            marks.slots.acquire()  # given back when the caller writes it as sent (or on failure)
            if marks.stop.is_set():
                break
            try:
                connection.send_messages([email])
            except Exception as exc:  # noqa: BLE001 - recorded on the row by the caller
                marks.slots.release()
                results.put((row, exc))
            else:
                results.put((row, None))
    finally:
        _close(connection)


def _send_emails(rows: list[Message], counts: dict) -> bool:
    """Send ``rows`` over up to ``MESSAGING_SMTP_CONNECTIONS`` SMTP connections at once (one worker,
    a few conversations in flight: each message costs four round trips to the server, and those
    waits overlap); ``False`` when the server could not be reached.

    The database stays in this thread: the lanes report each message, this thread writes the
    accepted ones as sent in groups of ``SENT_FLUSH`` and the failures on their rows. No more than
    ``SENT_FLUSH`` accepted messages are ever unwritten, across all lanes (``_SentMarks.slots``)."""
    first = get_connection(fail_silently=False)
    try:
        first.open()
    except Exception as exc:  # noqa: BLE001 - the server is down: every claimed row waits
        for row in rows:
            _failed(row, exc, counts)
        return False
    emails = []
    for row in rows:
        try:
            emails.append((row, email_of(row)))  # attachments read the database: built here
        except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
            _failed(row, exc, counts)
    lanes = [emails[i :: smtp_lanes()] for i in range(smtp_lanes())]
    lanes = [lane for lane in lanes if lane] or [[]]
    marks = _SentMarks(counts)
    results: queue.SimpleQueue = queue.SimpleQueue()
    threads = [
        threading.Thread(
            target=_lane,
            args=(first if number == 0 else None, lane, marks, results),
            name=f"messaging-smtp-{number}",
            daemon=True,
        )
        for number, lane in enumerate(lanes)
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in range(len(emails)):
            row, error = results.get()
            if error is None:
                marks.add(row)  # written within SENT_FLUSH messages of the server's acceptance
            elif isinstance(error, smtplib.SMTPRecipientsRefused):
                _failed(row, error, counts, permanent=True)
            else:
                _failed(row, error, counts)
        marks.flush()
    except BaseException:
        # the database failed us: stop the lanes (the unsent rows wait for their claim to expire)
        marks.stop.set()
        for _thread in threads:
            marks.slots.release()  # wake a lane waiting for a slot
        with contextlib.suppress(Exception):
            marks.flush()
        raise
    finally:
        for thread in threads:
            thread.join()
    return True


def _send_texts(rows: list[Message], provider: Provider, counts: dict) -> None:
    for row in rows:
        try:
            provider_id = provider.send(row)
        except ProviderError as exc:
            _failed(row, exc, counts, permanent=exc.permanent)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
            _failed(row, exc, counts)
        else:
            _sent(row, counts, provider_id)


def _reserve(provider: str, wanted: int, rate: int, now: datetime.datetime) -> int:
    """How many of ``wanted`` messages the provider's rate limit lets out this minute."""
    if not rate:
        return wanted
    key = f"messaging:rate:{provider}:{now:%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    try:
        total = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, timeout=120)
        total = wanted
    granted = max(0, min(wanted, rate - (total - wanted)))
    if granted < wanted:
        with contextlib.suppress(ValueError):
            cache.decr(key, wanted - granted)
    return granted


def _release(provider: str, unused: int, now: datetime.datetime) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(f"messaging:rate:{provider}:{now:%Y%m%d%H%M}", unused)


def deliver(ids=None, *, now: datetime.datetime | None = None) -> dict:
    """Send what is due (only ``ids`` when given); returns ``{"sent", "retry", "failed"}``."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    settings_row = MessagingSettings.load()
    for channel in Channel.values:
        provider = None
        if channel != Channel.EMAIL:
            provider = get_provider()
            if provider is None or in_quiet_hours(now or timezone.now(), settings_row):
                continue
        while True:
            moment = now or timezone.now()
            limit = BATCH
            if provider is not None:
                limit = _reserve(provider.name, BATCH, settings_row.rate_per_minute, moment)
                if not limit:
                    break
            rows = _claim(channel, ids, moment, limit)
            if provider is not None and len(rows) < limit:
                _release(provider.name, limit - len(rows), moment)
            if not rows:
                break
            if provider is None:
                if not _send_emails(rows, counts):
                    break
            else:
                _send_texts(rows, provider, counts)
            if len(rows) < limit:
                break
    return counts


def callback_status(*, provider: str, provider_id: str, status: str, error: str = "") -> int:
    """A provider's delivery report: the message's status moves forward (sent → delivered, or
    failed); returns how many rows changed."""
    if not provider_id:  # an empty id would match every message the provider gave no id
        return 0
    changes: dict = {"status": status}
    qs = Message.objects.filter(provider=provider, provider_id=provider_id)
    if status == MessageStatus.DELIVERED:
        changes["delivered_at"] = timezone.now()
        qs = qs.filter(status=MessageStatus.SENT)
    elif status == MessageStatus.FAILED:
        # the provider took it and could not deliver it: not re-queued by itself (``recovery``)
        changes.update(last_error=error[:2000] or "failed", failed_at=timezone.now(), permanent_failure=True)
        qs = qs.exclude(status=MessageStatus.DELIVERED)
    else:
        return 0  # "sent" is what the row already says once the provider took it
    return qs.update(**changes)
