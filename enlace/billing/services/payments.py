"""Writers of payments: the settlement of an invoice ("baixa", SPEC F-6) with its late charges
(F-7: the wallet's fine and interest, capped at 2 % and 1 % a month) and the reversal ("estorno").

Every writer is one transaction; the invoice is locked (``select_for_update``) before its payments
change, so two operators settling the same invoice at once cannot both take it. Nothing is deleted:
a payment is reversed by a second movement with the same values. Bank return files settle in bulk
through ``imports.cnab_import``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.money import brl, cents
from enlace.core.services import object_save, operator_name_of, operator_of
from enlace.core.types import Actor

from .. import signals
from ..models import ZERO, Invoice, InvoiceStatus, Payment, PaymentMethod
from ..selectors import amount_due, late_charges
from .collection import collection_check_on_commit
from .common import copy_fields


def payment_create(
    *,
    actor: Actor,
    invoice: Invoice,
    amount=None,
    date: datetime.date | None = None,
    method: str = PaymentMethod.CASH,
    fine=None,
    interest=None,
    discount=None,
    notes: str = "",
    cnab_record=None,
) -> Payment:
    """Settle an invoice ("baixa", F-6), fully or partly. Without ``amount`` the whole amount due
    on ``date`` is taken; fine and interest default to the late charges (F-7: the wallet's fine and interest,
    capped at 2 % and 1 % a month) on the part paid."""
    date = date or timezone.localdate()
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Unknown payment method.")]})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("wallet").get(pk=invoice.pk)
        if not locked.is_open:
            raise ApplicationError(
                _("The invoice is %(status)s and cannot be settled.") % {"status": _status_text(locked)},
                code="not_open",
            )
        due = amount_due(locked, date)
        amount = due["total"] if amount in (None, "") else cents(amount)
        if amount <= ZERO:
            raise ValidationError({"amount": [_("The amount must be greater than zero.")]})
        if discount in (None, ""):
            # the discount is for payment in full up to the due date (docs/billing.md)
            discount = due["discount"] if amount >= due["total"] else ZERO
        else:
            discount = cents(discount)
        if fine in (None, "") and interest in (None, ""):
            # charges on the part of the balance this payment covers: the amount splits into face
            # value and charges in the proportion of the whole amount due
            gross = locked.balance + due["fine"] + due["interest"]
            covered = (
                min(locked.balance, cents((amount + discount) * locked.balance / gross)) if gross else ZERO
            )
            fine, interest = (
                late_charges(locked, date, base=covered)
                if amount < due["total"]
                else (
                    due["fine"],
                    due["interest"],
                )
            )
        fine, interest = cents(fine or 0), cents(interest or 0)
        principal = amount - fine - interest + discount
        if principal <= ZERO:
            raise ValidationError({"amount": [_("The amount does not cover the fine and interest.")]})
        if principal > locked.balance:
            raise ValidationError(
                {"amount": [_("The amount exceeds what is due (%(due)s).") % {"due": brl(due["total"])}]}
            )
        payment = Payment(
            invoice=locked,
            date=date,
            amount=amount,
            method=method,
            fine=fine,
            interest=interest,
            discount=discount,
            notes=notes,
            cnab_record=cnab_record,
            operator=operator_of(actor),
            operator_name=operator_name_of(actor),
        )
        object_save(payment, actor=actor)
        _recompute(locked)
        object_save(locked, actor=actor)
        # F-9: a contract's block follows its overdue invoices, so the contract is judged again.
        collection_check_on_commit([locked.contract_id])
        signals.send_on_commit(signals.payment_received, Payment, payment=payment)
    copy_fields(locked, invoice)
    return payment


def payment_reverse(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """Reverse a payment ("estorno"): a second movement with the same values; both are kept and
    the invoice goes back to open (or partial)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        original = Payment.objects.select_for_update().get(pk=payment.pk)
        if original.reversed or original.reversal_of_id:
            raise ApplicationError(_("This payment was already reversed."), code="already_reversed")
        if invoice.renegotiated or invoice.status == InvoiceStatus.CANCELLED:
            raise ApplicationError(
                _("The invoice is closed; its payments cannot be reversed."), code="closed"
            )
        reversal = Payment(
            invoice=invoice,
            date=timezone.localdate(),
            amount=original.amount,
            method=original.method,
            fine=original.fine,
            interest=original.interest,
            discount=original.discount,
            reversal_of=original,
            reversal_reason=reason,
            operator=operator_of(actor),
            operator_name=operator_name_of(actor),
        )
        object_save(reversal, actor=actor)
        original.reversed = True
        object_save(original, actor=actor)
        _recompute(invoice)
        object_save(invoice, actor=actor)
        # F-9: a contract's block follows its overdue invoices, so the contract is judged again.
        collection_check_on_commit([invoice.contract_id])
    copy_fields(original, payment)
    return reversal


def _recompute(invoice: Invoice) -> None:
    """Status, amount paid and payment date from the invoice's movements."""
    movements = list(invoice.payments.all())
    paid = sum((p.principal for p in movements), ZERO)
    invoice.paid_amount = max(paid, ZERO)
    live = [p for p in movements if not p.reversed and not p.reversal_of_id]
    if invoice.status == InvoiceStatus.CANCELLED:
        return
    if invoice.paid_amount <= ZERO:
        invoice.status, invoice.paid_date = InvoiceStatus.OPEN, None
    elif invoice.paid_amount >= invoice.amount:  # a payment's principal already counts its discount
        invoice.status = InvoiceStatus.RECEIVED
        invoice.paid_date = max(p.date for p in live) if live else None
    else:
        invoice.status, invoice.paid_date = InvoiceStatus.PARTIAL, None


def _status_text(invoice: Invoice) -> str:
    return _("renegotiated") if invoice.renegotiated else invoice.get_status_display()
