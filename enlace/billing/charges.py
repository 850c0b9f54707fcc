"""Boleto and PIX of an invoice: fills ``barcode``, ``digitable_line``, ``nosso_numero_display``,
``pix_payload`` and ``pix_txid`` from its wallet (SPEC F-4, F-5), with the pure computing cores
``enlace.billing.boleto`` and ``enlace.billing.pix``.

A wallet whose bank has no boleto layout here (e.g. Santander) issues PIX only; a wallet without a
PIX key issues the boleto only. Values that don't fit (an agency with too many digits, an amount
too large) are reported naming the wallet field or the invoice amount.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import boleto, pix
from .models import Invoice

#: Fields of the wallet that make_boleto reads; an error on one of them names the wallet.
_WALLET_FIELDS = {"agency", "account", "carteira", "convenio", "agency_digit", "account_digit", "posto"}


def txid(invoice: Invoice) -> str:
    """The invoice's PIX txid: letters and digits only, ≤ 25 (BR Code field 62-05)."""
    return f"ENL{invoice.wallet_id}N{invoice.nosso_numero}"[:25]


def make_slip(invoice: Invoice) -> boleto.Boleto:
    """The boleto of ``invoice`` from its wallet (raises ``boleto.BoletoError``)."""
    wallet = invoice.wallet
    return boleto.make_boleto(
        wallet.bank_code,
        agency=wallet.agency,
        account=wallet.account,
        agency_digit=wallet.agency_digit,
        account_digit=wallet.account_digit,
        carteira=wallet.carteira,
        convenio=wallet.convenio,
        nosso_numero=invoice.nosso_numero,
        due_date=invoice.due_date,
        amount=invoice.amount,
        issue_date=invoice.issue_date,
    )


def fill(invoice: Invoice, *, beneficiary=None) -> Invoice:
    """Compute the boleto and PIX of ``invoice`` (its nosso número must be set)."""
    wallet = invoice.wallet
    if wallet.bank_code in boleto.BANKS and invoice.nosso_numero:
        try:
            slip = make_slip(invoice)
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
        invoice.pix_txid = txid(invoice)
        try:
            invoice.pix_payload = pix.build_brcode(
                key=wallet.pix_key,
                name=branch.legal_name or branch.name,
                city=branch.city.name if getattr(branch, "city_id", None) else "BRASIL",
                amount=invoice.amount,
                txid=invoice.pix_txid,
                truncate=True,
            )
        except pix.PixError as exc:
            raise ValidationError(
                {"wallet": [_("The wallet's PIX key is not valid: %(error)s") % {"error": exc}]}
            ) from exc
    return invoice
