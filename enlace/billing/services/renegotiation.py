"""Renegotiation (SPEC F-8): open invoices of a customer are replaced by new one-off instalments.

The wizard's steps map to these services: ``renegotiation_start`` (choose the open invoices — they
are held by the draft, so a second renegotiation cannot take them), ``renegotiation_update``
(additions, discount, payment condition or number of instalments, wallet, first due date),
``renegotiation_preview`` (the instalments), ``renegotiation_finish`` (the old invoices turn
renegotiated — grey — and the new ones are created, linked to the renegotiation) or
``renegotiation_cancel``. Nothing is deleted.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.money import cents, split_instalments
from enlace.core.services import object_save, operator_of
from enlace.core.types import Actor

from ..models import ZERO, Invoice, InvoiceKind, InvoiceStatus, RenegotiatedInvoice, Renegotiation
from ..selectors import amount_due
from .collection import collection_check_on_commit
from .common import copy_fields, take_nosso_numeros
from .invoices import invoice_fill_charges

MAX_INSTALMENTS = 48


def _locked(renegotiation: Renegotiation) -> Renegotiation:
    locked = Renegotiation.objects.select_for_update().get(pk=renegotiation.pk)
    if locked.status != Renegotiation.Status.DRAFT:
        raise ApplicationError(
            _("This renegotiation is already %(status)s.") % {"status": locked.get_status_display()},
            code="not_draft",
        )
    return locked


def renegotiation_start(*, actor: Actor, customer, invoices) -> Renegotiation:
    """A draft renegotiation of ``invoices`` (open invoices of ``customer``)."""
    invoices = list(invoices)
    if not invoices:
        raise ValidationError({"invoices": [_("Choose at least one open invoice.")]})
    with transaction.atomic():
        locked = list(
            Invoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices]).order_by("due_date")
        )
        for invoice in locked:
            if invoice.customer_id != customer.pk:
                raise ValidationError(
                    {"invoices": [_("Invoice %(id)s belongs to another customer.") % {"id": invoice.pk}]}
                )
            if not invoice.is_open:
                raise ValidationError({"invoices": [_("Invoice %(id)s is not open.") % {"id": invoice.pk}]})
        renegotiation = Renegotiation(
            customer=customer,
            wallet=locked[0].wallet,
            operator=operator_of(actor),
        )
        object_save(renegotiation, actor=actor)
        try:
            with transaction.atomic():
                RenegotiatedInvoice.objects.bulk_create(
                    [RenegotiatedInvoice(renegotiation=renegotiation, invoice=i) for i in locked]
                )
        except IntegrityError as exc:
            busy = (
                RenegotiatedInvoice.objects.filter(invoice__in=locked, open=True)
                .exclude(renegotiation=renegotiation)
                .values_list("invoice_id", flat=True)
                .first()
            )
            raise ApplicationError(
                _("Invoice %(id)s is in an unfinished renegotiation; finish or abandon it first.")
                % {"id": busy},
                code="in_renegotiation",
                field="invoices",
            ) from exc
        _recalculate(renegotiation)
        object_save(renegotiation, actor=actor)
    return renegotiation


def _invoices(renegotiation: Renegotiation) -> list[Invoice]:
    return list(
        Invoice.objects.filter(renegotiation_links__renegotiation=renegotiation).order_by("due_date", "pk")
    )


def _recalculate(renegotiation: Renegotiation, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    renegotiation.original_total = sum(
        (amount_due(i, today)["total"] for i in _invoices(renegotiation)), ZERO
    )
    renegotiation.total = renegotiation.original_total + renegotiation.additions - renegotiation.discount
    if renegotiation.total <= ZERO:
        raise ValidationError({"discount": [_("The discount cannot take the total to zero.")]})


def renegotiation_update(
    *,
    actor: Actor,
    renegotiation: Renegotiation,
    additions=None,
    discount=None,
    instalments: int | None = None,
    payment_condition=None,
    wallet=None,
    first_due_date: datetime.date | None = None,
    notes: str | None = None,
) -> Renegotiation:
    """Set the terms of a draft renegotiation; the totals are recalculated."""
    with transaction.atomic():
        locked = _locked(renegotiation)
        if additions is not None:
            locked.additions = cents(additions)
        if discount is not None:
            locked.discount = cents(discount)
        if payment_condition is not None:
            locked.payment_condition = payment_condition
            locked.instalments = payment_condition.instalments
            if first_due_date is None:
                first_due_date = timezone.localdate() + datetime.timedelta(
                    days=payment_condition.first_due_days
                )
        if instalments is not None:
            if not 1 <= int(instalments) <= MAX_INSTALMENTS:
                raise ValidationError(
                    {"instalments": [_("From 1 to %(max)s instalments.") % {"max": MAX_INSTALMENTS}]}
                )
            locked.instalments = int(instalments)
        if wallet is not None:
            if wallet.branch_id != locked.customer.branch_id:
                raise ValidationError({"wallet": [_("Choose a wallet of the customer's branch.")]})
            locked.wallet = wallet
        if first_due_date is not None:
            if first_due_date < timezone.localdate():
                raise ValidationError({"first_due_date": [_("The first due date cannot be in the past.")]})
            locked.first_due_date = first_due_date
        if notes is not None:
            locked.notes = notes
        _recalculate(locked)
        object_save(locked, actor=actor)
    copy_fields(locked, renegotiation)
    return renegotiation


def _add_months(date: datetime.date, months: int) -> datetime.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def renegotiation_preview(renegotiation: Renegotiation) -> list[tuple[datetime.date, Decimal]]:
    """The instalments (due date, amount): equal parts, the cents left over on the first one;
    monthly, or every ``days_between`` days of the payment condition."""
    count = max(renegotiation.instalments, 1)
    first = renegotiation.first_due_date or (timezone.localdate() + datetime.timedelta(days=5))
    amounts = split_instalments(renegotiation.total, count)
    condition = renegotiation.payment_condition
    step = condition.days_between if condition and condition.days_between else None
    dates = [
        first + datetime.timedelta(days=step * n) if step else _add_months(first, n) for n in range(count)
    ]
    return list(zip(dates, amounts, strict=True))


def renegotiation_finish(*, actor: Actor, renegotiation: Renegotiation) -> list[Invoice]:
    """Replace the old invoices by the new instalments, in one transaction."""
    with transaction.atomic():
        locked = _locked(renegotiation)
        if locked.wallet is None:
            raise ValidationError({"wallet": [_("Choose the wallet of the new invoices.")]})
        old = list(Invoice.objects.select_for_update().filter(renegotiation_links__renegotiation=locked))
        for invoice in old:
            if not invoice.is_open:
                raise ApplicationError(
                    _("Invoice %(id)s was settled or cancelled meanwhile; start again.") % {"id": invoice.pk},
                    code="changed",
                )
        _recalculate(locked)
        plan = renegotiation_preview(locked)
        numbers = iter(take_nosso_numeros(locked.wallet, len(plan)))
        contract_ids = {i.contract_id for i in old if i.contract_id}
        contract_id = contract_ids.pop() if len(contract_ids) == 1 else None
        new = []
        for n, (due, amount) in enumerate(plan, start=1):
            invoice = Invoice(
                customer=locked.customer,
                branch_id=locked.customer.branch_id,
                contract_id=contract_id,
                wallet=locked.wallet,
                kind=InvoiceKind.ONE_OFF,
                description=_("Renegotiation %(id)s — instalment %(n)s/%(count)s")
                % {"id": locked.pk, "n": n, "count": len(plan)},
                due_date=due,
                amount=amount,
                nosso_numero=next(numbers),
                renegotiation=locked,
            )
            invoice_fill_charges(invoice)
            object_save(invoice, actor=actor)
            new.append(invoice)
        for invoice in old:
            invoice.status = InvoiceStatus.CANCELLED
            invoice.renegotiated = True
            invoice.cancelled_at = timezone.now()
            invoice.cancel_reason = _("Renegotiated (renegotiation %(id)s).") % {"id": locked.pk}
            object_save(invoice, actor=actor)
        RenegotiatedInvoice.objects.filter(renegotiation=locked).update(open=False)
        locked.status = Renegotiation.Status.DONE
        locked.finished_at = timezone.now()
        object_save(locked, actor=actor)
        collection_check_on_commit(i.contract_id for i in old)
    copy_fields(locked, renegotiation)
    return new


def renegotiation_cancel(*, actor: Actor, renegotiation: Renegotiation) -> Renegotiation:
    """Abandon a draft: its invoices are free again."""
    with transaction.atomic():
        locked = _locked(renegotiation)
        RenegotiatedInvoice.objects.filter(renegotiation=locked).update(open=False)
        locked.status = Renegotiation.Status.CANCELLED
        locked.finished_at = timezone.now()
        object_save(locked, actor=actor)
    copy_fields(locked, renegotiation)
    return renegotiation
