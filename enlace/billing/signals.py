"""Signals of the finance area, for higher apps (messaging, fiscal) to react without an upward import.

Sent after the transaction commits (never for a rolled-back change):

- ``invoice_issued(sender=Invoice, invoice)`` — a one-off invoice was created with its boleto/PIX;
- ``payment_received(sender=Payment, payment)`` — a payment was recorded on an invoice;
- ``billing_run_finished(sender=BillingRun, run)`` — a billing run finished; its invoices point to
  it (``Invoice.billing_run``);
- ``trust_unlocked(sender=Contract, contract, until)`` — a trust unlock ("desbloqueio de
  confiança") restored a contract's access until ``until``.
"""

from django.db import transaction
from django.dispatch import Signal

invoice_issued = Signal()
payment_received = Signal()
trust_unlocked = Signal()
billing_run_finished = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
