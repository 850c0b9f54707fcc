"""Signals of the contracts area, for later apps to react to without an upward import.

Sent after the transaction commits (never for a rolled-back change) — RADIUS disconnects or
changes the speed of the contract's logins, billing adjusts the invoices:

- ``access_status_changed(sender=Contract, contract, old, new)``;
- ``status_changed(sender=Contract, contract, old, new)``;
- ``plan_changed(sender=Contract, contract, old, new, kind, effective_date)``.

Sent *inside* the transaction of the write, so that what a receiver writes commits or rolls back
with it (RADIUS keeps FreeRADIUS's tables in step in the same transaction):

- ``contract_saved(sender=Contract, contract, old_plan_id)`` — after any write of a contract
  (create, update, status or access status, plan);
- ``plan_saved(sender=Plan, plan)`` — after a plan is created or changed.
"""

from django.db import transaction
from django.dispatch import Signal

access_status_changed = Signal()
status_changed = Signal()
plan_changed = Signal()
contract_saved = Signal()
plan_saved = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
