"""Boleto computing core (SPEC F-4): FEBRABAN's barcode, linha digitável and check digits in
``core``, one module per bank layout (``bb``, ``itau``, ``bradesco``, ``caixa``, ``sicredi``,
``sicoob``), the registry of banks and :func:`make_boleto` in ``banks``. Pure Python, no Django:
``enlace.billing.services.invoices`` fills an invoice's boleto from its wallet with
:func:`make_boleto`. Layouts, manual sections and test vectors: docs/boleto-pix.md.
"""

from .banks import BANKS, build_boleto, make_boleto
from .bb import bb_campo_livre, bb_nosso_numero
from .bradesco import bradesco_campo_livre, bradesco_nosso_numero
from .caixa import CAIXA_MAX_AMOUNT_CENTS, caixa_campo_livre, caixa_nosso_numero
from .core import (
    FACTOR_BASE_DATE,
    FACTOR_RESTART_DATE,
    MAX_AMOUNT_CENTS,
    Bank,
    Boleto,
    BoletoError,
    BoletoInput,
    CampoLivre,
    NossoNumero,
    ParsedBoleto,
    amount_to_cents,
    barcode_dv,
    barcode_from_digitable_line,
    build_barcode,
    digitable_line,
    due_date_factor,
    due_date_from_factor,
    format_digitable_line,
    mod10,
    mod11,
    mod11_remainder,
    parse_boleto,
)
from .itau import itau_campo_livre, itau_nosso_numero
from .sicoob import sicoob_campo_livre, sicoob_nosso_numero
from .sicredi import (
    SICREDI_SEQUENCE_MAX,
    sicredi_campo_livre,
    sicredi_nosso_numero,
    sicredi_split,
    sicredi_wallet_number,
)

__all__ = [
    "BANKS",
    "CAIXA_MAX_AMOUNT_CENTS",
    "FACTOR_BASE_DATE",
    "FACTOR_RESTART_DATE",
    "MAX_AMOUNT_CENTS",
    "SICREDI_SEQUENCE_MAX",
    "Bank",
    "Boleto",
    "BoletoError",
    "BoletoInput",
    "CampoLivre",
    "NossoNumero",
    "ParsedBoleto",
    "amount_to_cents",
    "barcode_dv",
    "barcode_from_digitable_line",
    "bb_campo_livre",
    "bb_nosso_numero",
    "bradesco_campo_livre",
    "bradesco_nosso_numero",
    "build_barcode",
    "build_boleto",
    "caixa_campo_livre",
    "caixa_nosso_numero",
    "digitable_line",
    "due_date_factor",
    "due_date_from_factor",
    "format_digitable_line",
    "itau_campo_livre",
    "itau_nosso_numero",
    "make_boleto",
    "mod10",
    "mod11",
    "mod11_remainder",
    "parse_boleto",
    "sicoob_campo_livre",
    "sicoob_nosso_numero",
    "sicredi_campo_livre",
    "sicredi_nosso_numero",
    "sicredi_split",
    "sicredi_wallet_number",
]
