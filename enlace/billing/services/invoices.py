"""Writers of invoices and the boleto and PIX of an invoice (SPEC F-1: receivables belong to the customer,
not the contract; F-2: status A, R, P, C or renegotiated; F-4, F-5: each carries its boleto and PIX copia e
cola; F-8: an invoice is cancelled with a reason or renegotiated, never deleted).

Every writer is one transaction; an invoice is locked (``select_for_update``) before it changes, so
two operators acting on the same invoice at once cannot both take it. Nothing is deleted: invoices
are cancelled or renegotiated.

The boleto and PIX fields (``barcode``, ``digitable_line``, ``nosso_numero_display``,
``pix_payload``, ``pix_txid``) are computed from the invoice's wallet by ``invoice_fill_charges``
with the pure cores ``enlace.billing.boleto`` and ``enlace.billing.pix``. A wallet whose bank has no
boleto layout here (e.g. Santander) issues PIX only; a wallet without a PIX key issues the boleto
only. Values that don't fit (an agency with too many digits, an amount too large) are reported
naming the wallet field or the invoice amount.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_save
from enlace.core.types import Actor

from .. import boleto, pix, signals
from ..models import Invoice, InvoiceKind, InvoiceStatus
from .collection import collection_check_on_commit
from .common import copy_fields, take_nosso_numeros

#: Fields of the wallet that make_boleto reads; an error on one of them names the wallet.
_WALLET_FIELDS = {"agency", "account", "carteira", "convenio", "agency_digit", "account_digit", "posto"}


# --- Boleto and PIX (F-4: FEBRABAN barcode and linha digitável; F-5: PIX copia e cola and QR) ---


def _pix_txid(invoice: Invoice) -> str:
    """The invoice's PIX txid: letters and digits only, ≤ 25 (BR Code field 62-05)."""
    return f"ENL{invoice.wallet_id}N{invoice.nosso_numero}"[:25]


def invoice_boleto(invoice: Invoice) -> boleto.Boleto:
    """The boleto of ``invoice`` from its wallet (raises ``boleto.BoletoError``, also when the
    invoice has no nosso número yet)."""
    wallet = invoice.wallet
    if invoice.nosso_numero is None:
        raise boleto.BoletoError("nosso_numero", "the invoice has no nosso número yet")
    number, sicredi_byte = invoice.nosso_numero, "2"
    if wallet.bank_code == "748" and number >= 1_000_000:
        # Sicredi keeps YYBNNNNN (take_nosso_numeros): the boleto takes the sequence and the byte,
        # and prints the year of the issue date, which is the year the number was taken in.
        year, sicredi_byte, number = boleto.sicredi_split(number)
        if invoice.issue_date is not None and year != invoice.issue_date.year % 100:
            raise boleto.BoletoError("nosso_numero", "the nosso número's year is not the issue date's")
    return boleto.make_boleto(
        wallet.bank_code,
        agency=wallet.agency,
        account=wallet.account,
        agency_digit=wallet.agency_digit,
        account_digit=wallet.account_digit,
        carteira=wallet.carteira,
        convenio=wallet.convenio,
        nosso_numero=number,
        due_date=invoice.due_date,
        amount=invoice.amount,
        issue_date=invoice.issue_date,
        sicredi_byte=sicredi_byte,
    )


def invoice_fill_charges(invoice: Invoice, *, beneficiary=None) -> Invoice:
    """Compute the boleto and PIX of the unsaved ``invoice`` (its nosso número must be set)."""
    wallet = invoice.wallet
    if wallet.bank_code in boleto.BANKS and invoice.nosso_numero:
        try:
            slip = invoice_boleto(invoice)
        except boleto.BoletoError as exc:
            field = getattr(exc, "field", "")
            if field in _WALLET_FIELDS:
                raise ValidationError(
                    {"wallet": [_("The wallet cannot issue boletos: %(error)s") % {"error": exc}]}
                ) from exc
            raise ValidationError({"amount" if field == "amount" else "due_date": [str(exc)]}) from exc
        invoice.barcode = slip.barcode
        invoice.digitable_line = slip.digitable_line
        invoice.nosso_numero_display = slip.nosso_numero_display
    else:
        invoice.nosso_numero_display = str(invoice.nosso_numero or "")
    if wallet.pix_key:
        branch = beneficiary or wallet.branch
        invoice.pix_txid = _pix_txid(invoice)
        try:
            invoice.pix_payload = pix.build_brcode(
                key=wallet.pix_key,
                name=branch.legal_name or branch.name,
                city=branch.city.name
                if getattr(branch, "city_id", None) and branch.city is not None
                else "BRASIL",
                amount=invoice.amount,
                txid=invoice.pix_txid,
                truncate=True,
            )
        except pix.PixError as exc:
            raise ValidationError(
                {"wallet": [_("The wallet's PIX key is not valid: %(error)s") % {"error": exc}]}
            ) from exc
    return invoice


# --- Invoices -----------------------------------------------------------------------------------


def _check_wallet(invoice: Invoice) -> None:
    if invoice.wallet_id and invoice.branch_id and invoice.wallet.branch_id != invoice.branch_id:
        raise ValidationError({"wallet": [_("Choose a wallet of the invoice's branch.")]})
    if invoice.wallet_id and not invoice.wallet.active:
        raise ValidationError({"wallet": [_("The wallet is not active.")]})


def _check_discount(invoice: Invoice) -> None:
    """The discount for paying by the due date is at most the invoice's amount (also the database
    check ``invoice_discount_le_amount``)."""
    amount, discount = invoice.amount, invoice.discount
    if isinstance(amount, Decimal) and isinstance(discount, Decimal) and discount > amount:
        raise ValidationError({"discount": [_("The discount cannot exceed the amount.")]})


def invoice_create(*, actor: Actor, **data) -> Invoice:
    """A one-off invoice ("avulso") for a customer, with its boleto and PIX (F-1, F-4, F-5)."""
    data = dict(data)
    data.setdefault("kind", InvoiceKind.ONE_OFF)
    if data["kind"] != InvoiceKind.ONE_OFF:
        raise ValidationError({"kind": [_("Recurring invoices come from the billing run.")]})
    invoice = Invoice(**data)
    if invoice.customer_id and not invoice.branch_id:
        invoice.branch_id = invoice.customer.branch_id
    if invoice.contract is not None and invoice.contract.customer_id != invoice.customer_id:
        raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    _check_discount(invoice)
    with transaction.atomic():
        _check_wallet(invoice)
        invoice.nosso_numero = take_nosso_numeros(invoice.wallet, issue_date=invoice.issue_date)[0]
        invoice_fill_charges(invoice)
        object_save(invoice, actor=actor)
        signals.send_on_commit(signals.invoice_issued, Invoice, invoice=invoice)
    return invoice


def invoice_cancel(*, actor: Actor, invoice: Invoice, reason: str) -> Invoice:
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
        # F-9: a contract's block follows its overdue invoices, so the contract is judged again.
        collection_check_on_commit([locked.contract_id])
    copy_fields(locked, invoice)
    return invoice
