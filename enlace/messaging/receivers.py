"""Receivers of the lower apps' signals (connected in ``apps.py``), all sent after commit: a one-off
invoice issued, a payment received, a trust unlock, a contract moved to "Financeiro em atraso" or
blocked. Each queues its messages; a failure here never undoes the change that caused it (it is
logged, and the daily run catches the day's events up)."""

from __future__ import annotations

import logging

from django.utils import timezone

from enlace.contracts.models import AccessStatus

from .models import Event

logger = logging.getLogger(__name__)

ACCESS_EVENTS = {AccessStatus.OVERDUE: Event.NOTICE, AccessStatus.AUTOMATIC_BLOCK: Event.BLOCKED}


def _safely(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a message must never break the writer; the daily run catches up
        logger.exception("messaging: could not queue the messages of %s", function.__name__)
        return None


def on_invoice_issued(sender, invoice, **kwargs):
    from .services import queue_invoice_issued

    _safely(queue_invoice_issued, invoice)


def on_payment_received(sender, payment, **kwargs):
    from .services import queue_payment_received

    _safely(queue_payment_received, payment)


def on_trust_unlocked(sender, contract, until, **kwargs):
    from .tasks import contract_event

    _safely(
        contract_event.delay,
        contract.pk,
        Event.TRUST_UNLOCK,
        timezone.localdate().isoformat(),
        trust_until=until.isoformat(),
    )


def on_access_status_changed(sender, contract, old, new, **kwargs):
    event = ACCESS_EVENTS.get(new)
    if event is None or old == new:
        return
    from .tasks import contract_event

    _safely(contract_event.delay, contract.pk, event, timezone.localdate().isoformat())
