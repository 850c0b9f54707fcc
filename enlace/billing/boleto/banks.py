"""The banks that have a boleto layout here and the entry points that build a boleto with the
layout of its bank (:func:`make_boleto`, :func:`build_boleto`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .bb import bb_campo_livre
from .bradesco import bradesco_campo_livre
from .caixa import CAIXA_MAX_AMOUNT_CENTS, caixa_campo_livre
from .core import (
    Bank,
    Boleto,
    BoletoError,
    BoletoInput,
    _as_date,
    _digitable_line,
    amount_to_cents,
    build_barcode,
    due_date_factor,
    format_digitable_line,
)
from .itau import itau_campo_livre
from .sicoob import sicoob_campo_livre
from .sicredi import sicredi_campo_livre

BANKS: dict[str, Bank] = {
    "001": Bank("001", "Banco do Brasil", "001-9", bb_campo_livre),
    "104": Bank("104", "Caixa Econômica Federal", "104-0", caixa_campo_livre, CAIXA_MAX_AMOUNT_CENTS),
    "237": Bank("237", "Bradesco", "237-2", bradesco_campo_livre),
    "341": Bank("341", "Itaú", "341-7", itau_campo_livre),
    "748": Bank("748", "Sicredi", "748-X", sicredi_campo_livre),
    "756": Bank("756", "Sicoob", "756-0", sicoob_campo_livre),
}


def build_boleto(data: BoletoInput) -> Boleto:
    """The boleto for ``data``; see :func:`make_boleto`."""
    bank_code = data.bank_code.strip() if isinstance(data.bank_code, str) else data.bank_code
    bank = BANKS.get(bank_code)
    if bank is None:
        supported = ", ".join(f"{b.code} {b.name}" for b in BANKS.values())
        raise BoletoError(
            "bank_code", f"no boleto layout for bank {data.bank_code!r} (supported: {supported})"
        )
    cents = amount_to_cents(data.amount, max_cents=bank.max_amount_cents)
    if data.due_date is None:
        factor, due_date = 0, None
    else:
        due_date = _as_date("due_date", data.due_date)
        factor = due_date_factor(due_date)
    part = bank.campo_livre(data)
    barcode = build_barcode(bank.code, factor, cents, part.campo_livre)
    line = _digitable_line(barcode)  # the barcode was just built: no need to check it again
    return Boleto(
        bank_code=bank.code,
        bank_code_display=bank.code_display,
        barcode=barcode,
        digitable_line=line,
        digitable_line_formatted=format_digitable_line(line),
        factor=factor,
        due_date=due_date,
        amount=Decimal(cents).scaleb(-2),
        campo_livre=part.campo_livre,
        nosso_numero=part.nosso_numero.number,
        nosso_numero_dv=part.nosso_numero.dv,
        nosso_numero_display=part.nosso_numero.display,
        beneficiary_code_display=part.beneficiary_code_display,
    )


def make_boleto(
    bank_code: str,
    *,
    agency: str,
    account: str,
    nosso_numero: str | int,
    due_date: date | None,
    amount: Decimal | int | str,
    carteira: str = "",
    convenio: str = "",
    agency_digit: str = "",
    account_digit: str = "",
    issue_date: date | None = None,
    posto: str = "",
    sicredi_byte: str = "2",
    modalidade: str = "01",
    parcela: int = 1,
) -> Boleto:
    """Barcode, linha digitável and nosso número of one boleto.

    ``bank_code``: 001, 104, 237, 341, 748 or 756. ``agency``/``account`` without check digits
    (``agency_digit``/``account_digit`` only go into the printed beneficiary code; Itaú's account
    DAC is checked against them). ``nosso_numero``: the wallet's sequence number; the bank's fixed
    parts (convênio, carteira, year) and check digit are added. ``due_date`` ``None`` makes factor
    0000 (no due date). ``amount``: a Decimal with at most two decimal places, less than 100
    million (10 million at Caixa).

    Per bank: Banco do Brasil uses ``convenio`` (4, 6, 7 or 8 digits) and ``carteira`` (2 digits);
    Itaú ``carteira`` (3); Bradesco ``carteira`` (2); Caixa ``convenio`` (código do beneficiário)
    and ``carteira`` (1/RG, 2/SR; default 1); Sicredi ``convenio`` (código do beneficiário, 5),
    ``posto`` (or agency "CCCC.PP"), ``issue_date`` (its year) and ``carteira`` (tipo de cobrança,
    default 1); Sicoob ``convenio`` (código do beneficiário, 7), ``modalidade``, ``parcela`` and
    ``carteira`` (default 1).
    """
    return build_boleto(
        BoletoInput(
            bank_code=bank_code,
            agency=agency,
            account=account,
            nosso_numero=nosso_numero,
            due_date=due_date,
            amount=amount,
            carteira=carteira,
            convenio=convenio,
            agency_digit=agency_digit,
            account_digit=account_digit,
            issue_date=issue_date,
            posto=posto,
            sicredi_byte=sicredi_byte,
            modalidade=modalidade,
            parcela=parcela,
        )
    )
