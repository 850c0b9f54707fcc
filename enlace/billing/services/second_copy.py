"""The "segunda via" of an invoice (issue 16, item 6): a new due date for an open invoice; a new
amount for an open invoice nothing was paid of (``invoice_change_amount``); and sending a title the
bank rejected once more, after its data was corrected (``invoice_registration_resend``).

The change is recorded (the invoice's audit entry has the old and new due date) and counted
(``Invoice.changes``): while ``changes > sent_changes`` the next remittance of a wallet the bank
knows the title of carries it as a due-date change (06, ``services.remittances``). The boleto's
barcode and linha digitável are computed again for the new date, and the PIX follows; the face
value stays, and fine and interest count from the new due date. How far the new date may go is
``BillingSettings.second_copy_max_days``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_save
from enlace.core.types import Actor

from ..cnab import Movement
from ..cnab.remittance import MOVEMENT_CODES
from ..models import BillingSettings, Invoice, RegistrationStatus
from ..selectors import AT_THE_BANK
from .collection import collection_check_on_commit
from .common import copy_fields
from .invoices import invoice_fill_charges

#: The (layout, bank) pairs whose remittance can change a registered title's amount.
AMOUNT_CHANGE_LAYOUTS = frozenset(key for key, codes in MOVEMENT_CODES.items() if Movement.AMOUNT in codes)


def invoice_second_copy(*, actor: Actor, invoice: Invoice, due_date: datetime.date) -> Invoice:
    """Give the open ``invoice`` the new ``due_date`` (from today to today +
    ``second_copy_max_days``); ``ValidationError`` on ``due_date``, ``ApplicationError`` when the
    invoice is not open."""
    today = timezone.localdate()
    limit = BillingSettings.load().second_copy_max_days
    if due_date < today:
        raise ValidationError({"due_date": [_("The new due date cannot be in the past.")]})
    if due_date > today + datetime.timedelta(days=limit):
        raise ValidationError(
            {"due_date": [_("The new due date can be at most %(days)s days from today.") % {"days": limit}]}
        )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("wallet__branch").get(pk=invoice.pk)
        if not locked.is_open:
            raise ApplicationError(
                _("Only an open invoice can get a second copy with a new due date."),
                code="invalid_transition",
            )
        if due_date == locked.due_date:
            raise ValidationError({"due_date": [_("The invoice already falls due on this date.")]})
        locked.due_date = due_date
        _save_change(locked, actor)
    copy_fields(locked, invoice)
    return invoice


def _save_change(locked: Invoice, actor: Actor) -> None:
    """Count a change the bank must hear of, compute the boleto and PIX again and save (audited).
    F-9: a contract's block follows its overdue invoices; this one may no longer be."""
    locked.changes += 1
    invoice_fill_charges(locked)
    object_save(locked, actor=actor)
    collection_check_on_commit([locked.contract_id])


def invoice_change_amount(*, actor: Actor, invoice: Invoice, amount: Decimal) -> Invoice:
    """Give the open ``invoice`` (nothing paid yet) the new face value ``amount``; the boleto and
    PIX follow, and when the bank knows the title the next remittance carries the new amount
    (47; 31 in Itaú and Bradesco CNAB 400). Banco do Brasil's CNAB 400 (CBR641) has no command
    for it: such a title is refused (cancel it, which writes it off, and issue a new invoice).
    ``ValidationError`` on ``amount``; ``ApplicationError`` when the invoice cannot change."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": [_("The new amount must be greater than zero.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [_("The new amount has at most two decimal places.")]})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("wallet__branch").get(pk=invoice.pk)
        if not locked.is_open or locked.paid_amount > 0:
            raise ApplicationError(
                _("Only an open invoice with nothing paid can have its amount changed."),
                code="invalid_transition",
            )
        if amount == locked.amount:
            raise ValidationError({"amount": [_("The invoice already has this amount.")]})
        if locked.discount > amount:
            raise ValidationError(
                {"amount": [_("The new amount cannot be lower than the invoice's discount.")]}
            )
        wallet = locked.wallet
        if (
            locked.registration_status in AT_THE_BANK
            and (wallet.cnab_layout, wallet.bank_code) not in AMOUNT_CHANGE_LAYOUTS
        ):
            raise ApplicationError(
                _(
                    "This bank's remittance layout has no amount change for a registered title: "
                    "cancel the invoice (the bank writes it off) and issue a new one."
                ),
                code="no_amount_change",
                field="amount",
            )
        locked.amount = amount
        _save_change(locked, actor)
    copy_fields(locked, invoice)
    return invoice


def invoice_registration_resend(*, actor: Actor, invoice: Invoice) -> Invoice:
    """Send the open ``invoice`` whose entry the bank rejected (return occurrence 03) in the next
    remittance again, usually after the customer's CPF/CNPJ or address was corrected: it goes
    back to ``pending`` and its change counter moves on, so the new entry (01) is a new
    ``RemittanceItem`` (the unique constraint (invoice, movement, change) lets an entry out once
    per counter value, never twice for the same one). ``ApplicationError`` when the invoice is not
    open or the bank did not reject it."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.registration_status != RegistrationStatus.REJECTED:
            raise ApplicationError(
                _("Only a title the bank rejected can be sent to it again."), code="invalid_transition"
            )
        if not locked.is_open or locked.renegotiated:
            raise ApplicationError(
                _("Only an open invoice can be sent to the bank again."), code="invalid_transition"
            )
        locked.registration_status = RegistrationStatus.PENDING
        locked.registration_message = ""
        locked.changes += 1
        object_save(locked, actor=actor)
    copy_fields(locked, invoice)
    return invoice
