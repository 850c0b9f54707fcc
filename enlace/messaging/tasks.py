"""Celery tasks of the messaging area: the daily run of the régua de cobrança (beat, every morning
after the collection routine) and the sending of queued messages (kicked after each queueing and
every minute by beat, for retries and rows whose kick was lost) and the recovery of failed
messages (every 5 minutes: back in the queue once the server answers again). All are idempotent: the unique
constraint ``(rule, channel, key)`` and the row claim keep a rerun or a second worker from
sending anything twice."""

from celery import shared_task
from celery.schedules import crontab

from enlace.core import context
from enlace.core.tasks import register_periodic


@shared_task(name="enlace.messaging.tasks.daily_messages", ignore_result=True)
def daily_messages() -> dict:
    """The day's régua: one ``daily_rule`` task per invoice rule (issued, before due, due today,
    overdue: they spread over the workers), then the catch-up of the day's notices, blocks and
    payments whose immediate message was lost."""
    from django.utils import timezone

    from .services import daily_catch_up, invoice_rule_ids

    today = timezone.localdate()
    rule_ids = invoice_rule_ids()
    for rule_id in rule_ids:
        daily_rule.delay(rule_id, today.isoformat())
    with context.acting_as(None, source="task"):
        daily_catch_up(today=today)
    send_messages.delay()
    return {"rules": len(rule_ids)}


@shared_task(name="enlace.messaging.tasks.daily_rule", ignore_result=True)
def daily_rule(rule_id: int, day: str) -> dict:
    """Render and queue one invoice rule's messages of ``day``, then send what is due."""
    import datetime

    from .services import daily_rule_run

    with context.acting_as(None, source="task"):
        return daily_rule_run(rule_id=rule_id, today=datetime.date.fromisoformat(day))


@shared_task(name="enlace.messaging.tasks.send_messages", ignore_result=True)
def send_messages(ids=None) -> dict:
    """Send the queued messages that are due (only ``ids`` when given)."""
    from .delivery import deliver

    with context.acting_as(None, source="task"):
        return deliver(ids)


@shared_task(name="enlace.messaging.tasks.recover_failed", ignore_result=True)
def recover_failed() -> dict:
    """Put the failed messages whose failure may have passed back in the queue (recent, capped,
    with backoff; e-mail only once the mail server answers again) and send them."""
    from django.db import transaction

    from .recovery import recover_failed as requeue

    with context.acting_as(None, source="task"):
        ids = requeue()
    if ids:
        transaction.on_commit(lambda: send_messages.delay(ids))
    return {"requeued": len(ids)}


@shared_task(name="enlace.messaging.tasks.contract_event", ignore_result=True)
def contract_event(contract_id: int, event: str, on: str, **extra) -> list[int]:
    """Queue a contract's event messages (notice, block, trust unlock) off the request path."""
    import datetime

    from enlace.contracts.models import Contract

    from .services import queue_contract_event

    contract = Contract.objects.get(pk=contract_id)
    extra = {k: datetime.date.fromisoformat(v) if k == "trust_until" else v for k, v in extra.items()}
    with context.acting_as(None, source="task"):
        return queue_contract_event(contract, event, on=datetime.date.fromisoformat(on), **extra)


register_periodic("messaging-daily", "enlace.messaging.tasks.daily_messages", crontab(hour=7, minute=0))
register_periodic("messaging-send", "enlace.messaging.tasks.send_messages", 60.0)
register_periodic("messaging-recover", "enlace.messaging.tasks.recover_failed", 300.0)
