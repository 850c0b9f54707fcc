"""Signals of the contracts area, sent after the transaction commits (never for a rolled-back
change), for later apps to react to without an upward import: RADIUS disconnects or changes the
speed of the contract's logins, billing adjusts the invoices.

- ``access_status_changed(sender=Contract, contract, old, new)``;
- ``status_changed(sender=Contract, contract, old, new)``.
"""

from django.db import transaction
from django.dispatch import Signal

access_status_changed = Signal()
status_changed = Signal()
plan_changed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
