"""Protocol numbers of tickets and service orders: ``YYYYMMDD`` + a six-digit daily sequence per
kind, taken from the day's ``ProtocolCounter`` row under ``select_for_update`` (the unique
constraint on ``protocol`` backs it up). Tickets ("T") and service orders ("O") have sequences of
their own; numbers may skip (a record that fails to save after taking one), never repeat."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ProtocolCounter


def next_protocol(kind: str, day=None) -> str:
    """The next protocol of ``kind`` ("T" tickets, "O" service orders) for ``day`` (today).

    The day's counter row is locked while it is incremented, so two concurrent writers never get
    the same number. Called outside a transaction (as the creating services do before they open
    theirs) the increment commits at once and the lock lasts one statement; the price is that a
    record that then fails to save leaves its number unused — protocols may skip, never repeat.
    Called inside a transaction, the row stays locked until that commit. The row is created on the
    first call of the day; two writers racing to create it meet the unique constraint and the
    loser takes the winner's row."""
    day = day or timezone.localdate()
    with transaction.atomic():
        counter = ProtocolCounter.objects.select_for_update().filter(kind=kind, day=day).first()
        if counter is None:
            try:
                with transaction.atomic():
                    ProtocolCounter.objects.create(kind=kind, day=day, last=0)
            except IntegrityError:
                pass  # created by a concurrent writer: take its row below
            counter = ProtocolCounter.objects.select_for_update().get(kind=kind, day=day)
        number = counter.last + 1
        ProtocolCounter.objects.filter(pk=counter.pk).update(last=number)
    return f"{day:%Y%m%d}{number:06d}"
