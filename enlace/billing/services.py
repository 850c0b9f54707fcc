"""Writers of receivables and payments (SPEC F-1, F-2, F-6, F-7, F-8).

Every function is one transaction; an invoice is locked (``select_for_update``) before its
payments change, so two operators settling the same invoice at once cannot both take it. Nothing
is deleted: invoices are cancelled or renegotiated, payments reversed by a second movement.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet
from enlace.core.services import object_save, operator_name_of, operator_of

from . import charges
from .models import (
    OPEN_STATUSES,
    ZERO,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    WalletSequence,
)

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Nosso número -------------------------------------------------------------------------


def take_nosso_numeros(wallet: Wallet, count: int = 1) -> range:
    """Reserve ``count`` consecutive nossos números of ``wallet`` (F-4). The sequence row is
    locked for the increment, so concurrent callers get disjoint ranges; the unique constraint
    (wallet, nosso número) on invoices backs it up."""
    if count < 1:
        return range(0)
    with transaction.atomic():
        WalletSequence.objects.get_or_create(wallet=wallet)
        seq = WalletSequence.objects.select_for_update().get(wallet=wallet)
        first = seq.next_value
        WalletSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + count)
    return range(first, first + count)


# --- Late charges (F-7) ---------------------------------------------------------------------


def late_charges(
    invoice: Invoice, on: datetime.date, *, base: Decimal | None = None
) -> tuple[Decimal, Decimal]:
    """(fine, interest) owed when ``base`` (default: the open balance) is paid on ``on``: the
    wallet's fine once and its monthly interest pro rata per day of delay, capped at 2 % and 1 % a
    month (Anatel)."""
    if on <= invoice.due_date:
        return ZERO, ZERO
    base = invoice.balance if base is None else base
    wallet = invoice.wallet
    fine_pct = min(wallet.fine_percent, Wallet.MAX_FINE)
    interest_pct = min(wallet.interest_percent_month, Wallet.MAX_INTEREST)
    days = (on - invoice.due_date).days
    fine = money(base * fine_pct / 100)
    interest = money(base * interest_pct / 100 / 30 * days)
    return fine, interest


def amount_due(invoice: Invoice, on: datetime.date | None = None) -> dict:
    """What the customer pays on ``on``: balance, discount (up to the due date), fine, interest."""
    on = on or timezone.localdate()
    balance = invoice.balance
    discount = min(invoice.discount, balance) if on <= invoice.due_date and not invoice.paid_amount else ZERO
    fine, interest = late_charges(invoice, on, base=balance)
    return {
        "balance": balance,
        "discount": discount,
        "fine": fine,
        "interest": interest,
        "total": balance - discount + fine + interest,
    }


# --- Invoices -----------------------------------------------------------------------------


def _check_wallet(invoice: Invoice) -> None:
    if invoice.wallet_id and invoice.branch_id and invoice.wallet.branch_id != invoice.branch_id:
        raise ValidationError({"wallet": [_("Choose a wallet of the invoice's branch.")]})
    if invoice.wallet_id and not invoice.wallet.active:
        raise ValidationError({"wallet": [_("The wallet is not active.")]})


def check_discount(invoice: Invoice) -> None:
    """The discount for paying by the due date is at most the invoice's amount (also the database
    check ``invoice_discount_le_amount``)."""
    amount, discount = invoice.amount, invoice.discount
    if isinstance(amount, Decimal) and isinstance(discount, Decimal) and discount > amount:
        raise ValidationError({"discount": [_("The discount cannot exceed the amount.")]})


def invoice_create(*, actor, **data) -> Invoice:
    """A one-off invoice ("avulso") for a customer, with its boleto and PIX (F-1, F-4, F-5)."""
    data = dict(data)
    data.setdefault("kind", InvoiceKind.ONE_OFF)
    if data["kind"] != InvoiceKind.ONE_OFF:
        raise ValidationError({"kind": [_("Recurring invoices come from the billing run.")]})
    invoice = Invoice(**data)
    if invoice.customer_id and not invoice.branch_id:
        invoice.branch_id = invoice.customer.branch_id
    if invoice.contract_id and invoice.contract.customer_id != invoice.customer_id:
        raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    check_discount(invoice)
    with transaction.atomic():
        _check_wallet(invoice)
        invoice.nosso_numero = take_nosso_numeros(invoice.wallet)[0]
        charges.fill(invoice)
        object_save(invoice, actor=actor)
    return invoice


def invoice_cancel(*, actor, invoice: Invoice, reason: str) -> Invoice:
    """Cancel an open invoice without payments, with the reason (F-8)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.is_open:
            raise ApplicationError(_("Only an open invoice can be cancelled."), code="invalid_transition")
        if locked.paid_amount:
            raise ApplicationError(
                _("The invoice has payments; reverse them before cancelling."), code="has_payments"
            )
        locked.status = InvoiceStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        object_save(locked, actor=actor)
        _after_change(locked)
    _refresh(invoice, locked)
    return invoice


def _refresh(target, source) -> None:
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


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


# --- Payments -------------------------------------------------------------------------------


def payment_create(
    *,
    actor,
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
    on ``date`` is taken; fine and interest default to the late charges (F-7) on the part paid."""
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
        amount = due["total"] if amount in (None, "") else money(amount)
        if amount <= ZERO:
            raise ValidationError({"amount": [_("The amount must be greater than zero.")]})
        if discount in (None, ""):
            # the discount is for payment in full up to the due date (docs/billing.md)
            discount = due["discount"] if amount >= due["total"] else ZERO
        else:
            discount = money(discount)
        if fine in (None, "") and interest in (None, ""):
            # charges on the part of the balance this payment covers: the amount splits into face
            # value and charges in the proportion of the whole amount due
            gross = locked.balance + due["fine"] + due["interest"]
            covered = (
                min(locked.balance, money((amount + discount) * locked.balance / gross)) if gross else ZERO
            )
            fine, interest = (
                late_charges(locked, date, base=covered)
                if amount < due["total"]
                else (
                    due["fine"],
                    due["interest"],
                )
            )
        fine, interest = money(fine or 0), money(interest or 0)
        principal = amount - fine - interest + discount
        if principal <= ZERO:
            raise ValidationError({"amount": [_("The amount does not cover the fine and interest.")]})
        if principal > locked.balance:
            raise ValidationError(
                {"amount": [_("The amount exceeds what is due (%(due)s).") % {"due": _brl(due["total"])}]}
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
        _after_change(locked)
    _refresh(invoice, locked)
    return payment


def payment_reverse(*, actor, payment: Payment, reason: str) -> Payment:
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
        _after_change(invoice)
    _refresh(payment, original)
    return reversal


def _after_change(invoice: Invoice) -> None:
    """After commit, the collection routine looks at the contract again (F-9: a payment that
    leaves no overdue invoice unblocks it within a minute)."""
    if invoice.contract_id:
        check_after_commit([invoice.contract_id])


def check_after_commit(contract_ids) -> None:
    """Queue the collection check of each contract once the current transaction commits."""
    ids = sorted(set(contract_ids))
    if not ids:
        return

    def check():
        from .tasks import check_contract

        for contract_id in ids:
            check_contract.delay(contract_id)

    transaction.on_commit(check)


def _status_text(invoice: Invoice) -> str:
    return _("renegotiated") if invoice.renegotiated else invoice.get_status_display()


def _brl(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}"


def customer_open_total(customer) -> Decimal:
    rows = Invoice.objects.filter(customer=customer, status__in=OPEN_STATUSES, renegotiated=False)
    agg = rows.aggregate(amount=Sum("amount"), paid=Sum("paid_amount"))
    return (agg["amount"] or ZERO) - (agg["paid"] or ZERO)
