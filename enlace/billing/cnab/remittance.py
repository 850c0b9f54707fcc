"""Remittance files ("arquivos de remessa"): the types every layout shares and the entry point.

Pure Python, no Django. ``build_remittance(header, titles)`` returns the bytes of one file:
Latin-1, CRLF after every line, fixed width (240 or 400), text uppercase without accents and
blank-filled, numbers zero-filled. The layouts themselves are in ``remittance240`` and
``remittance400``; the nosso número is computed by the boleto modules (``enlace.billing.boleto``),
so the remittance carries exactly the number printed on the boleto. Layouts, per-bank differences
and movements: docs/cnab.md, "Remittance files".
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from ..boleto import (
    bb_nosso_numero,
    bradesco_nosso_numero,
    caixa_nosso_numero,
    itau_nosso_numero,
    sicoob_nosso_numero,
    sicredi_nosso_numero,
)
from .common import Field

CENT = Decimal("0.01")


class Movement(StrEnum):
    """What a title's line asks the bank to do ("código de movimento / ocorrência de remessa").
    The code written for each bank and layout is in ``MOVEMENT_CODES``."""

    ENTRY = "entry"  # register a new title
    WRITE_OFF = "write_off"  # pedido de baixa: the invoice was cancelled or renegotiated
    ABATEMENT = "abatement"  # concessão de abatimento: the amount due goes down by ``abatement``
    DUE_DATE = "due_date"  # alteração de vencimento: ``due_date`` is the new date
    AMOUNT = "amount"  # alteração do valor nominal: ``amount`` is the new face value


# (layout, bank) -> movement -> code. FEBRABAN CNAB 240 note C004: 01 entrada, 02 pedido de
# baixa, 04 concessão de abatimento, 06 alteração de vencimento, 47 alteração do valor nominal.
# CNAB 400: Itaú and Bradesco use 31 "alteração de outros dados" for a new face value; Banco do
# Brasil's CBR641 has no command for it (an abatement is the way to lower an amount there).
_FEBRABAN = {
    Movement.ENTRY: "01",
    Movement.WRITE_OFF: "02",
    Movement.ABATEMENT: "04",
    Movement.DUE_DATE: "06",
    Movement.AMOUNT: "47",
}
MOVEMENT_CODES: dict[tuple[str, str], dict[Movement, str]] = {
    **{("240", bank): _FEBRABAN for bank in ("001", "104", "237", "341", "748", "756")},
    ("400", "341"): {**_FEBRABAN, Movement.AMOUNT: "31"},
    ("400", "237"): {**_FEBRABAN, Movement.AMOUNT: "31"},
    ("400", "001"): {k: v for k, v in _FEBRABAN.items() if k != Movement.AMOUNT},
}

SUPPORTED = tuple(sorted(MOVEMENT_CODES))
"""The (layout, bank code) pairs a remittance can be written for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceHeader:
    """The wallet ("carteira de cobrança") the file is for, and the file's own data.

    ``agency``/``account`` without their check digits. ``convenio``: Banco do Brasil's convênio
    (7 digits for CNAB 400 CBR641; 6 or 7 in CNAB 240), Caixa's código do beneficiário (6),
    Sicredi's código do beneficiário (5), Sicoob's código do cliente (7), Bradesco's código da
    empresa (up to 20). ``carteira``: BB 2 digits (``variation``: 3), Itaú 3, Bradesco 2, Caixa
    1/RG, Sicredi and Sicoob 1. ``sequence``: the wallet's file sequence number (1, 2, ...).
    """

    bank: str
    layout: str  # "240" or "400"
    agency: str
    agency_dv: str = ""
    account: str
    account_dv: str = ""
    convenio: str = ""
    carteira: str = ""
    variation: str = ""  # Banco do Brasil "variação da carteira"
    posto: str = ""  # Sicredi
    sicredi_byte: str = "2"  # Sicredi: 2..9 when the beneficiary numbers its titles
    modalidade: str = "01"  # Sicoob
    company_name: str
    company_document: str  # CNPJ (14) or CPF (11), digits
    sequence: int
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceTitle:
    """One line (one title) of a remittance.

    ``nosso_numero`` is the wallet's sequence number (the boleto's); the bank's fixed parts and
    check digit are added here exactly as on the boleto. ``interest_per_day`` (an amount) or
    ``interest_rate`` (percent a month) from the day after the due date; ``fine_rate`` (percent)
    from the day after the due date; ``discount`` (an amount) until ``discount_until`` (default:
    the due date). ``protest_days`` 0 means "do not protest"; ``write_off_days`` is how many days
    after the due date the bank writes the title off (0: the bank's default).
    """

    movement: Movement = Movement.ENTRY
    nosso_numero: int | str
    document_number: str
    due_date: date
    amount: Decimal
    issue_date: date
    species: str = "DS"  # "DM" duplicata mercantil, "DS" duplicata de serviço, "OU" outros
    accept: bool = False
    interest_per_day: Decimal | None = None
    interest_rate: Decimal | None = None
    fine_rate: Decimal | None = None
    discount: Decimal | None = None
    discount_until: date | None = None
    abatement: Decimal | None = None
    protest_days: int = 0
    write_off_days: int = 0
    company_use: str = ""  # "uso da empresa": comes back in the return (e.g. the invoice id)
    payer_document: str
    payer_name: str
    payer_address: str = ""
    payer_neighbourhood: str = ""
    payer_cep: str = ""
    payer_city: str = ""
    payer_uf: str = ""

    def daily_interest(self) -> Decimal:
        """Interest per day as an amount (CNAB 400 has no field for a rate): a monthly rate is
        taken as 30 days, rounded to the cent."""
        if self.interest_per_day is not None:
            return self.interest_per_day
        if self.interest_rate:
            return (self.amount * self.interest_rate / 100 / 30).quantize(CENT, ROUND_HALF_UP)
        return Decimal(0)


class RemittanceError(ValueError):
    """A value that does not fit the file; ``field`` names it and ``title`` is the 1-based index
    of the title (``None`` for the header)."""

    def __init__(self, message: str, *, field: str | None = None, title: int | None = None):
        self.message = message
        self.field = field
        self.title = title
        super().__init__(f"title {title}: {message}" if title else message)


@functools.lru_cache(maxsize=16384)
def clean_text(value: str) -> str:
    """Uppercase ASCII without accents, as the manuals require ("Ç" -> "C", "ã" -> "A"); other
    characters become blanks. Cached: a file repeats its cities, neighbourhoods and names."""
    if value and value.isascii() and value.isprintable():
        return value.upper().strip()  # the common case: nothing to fold
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" else " " for c in plain.upper()).strip()


_NOT_DIGITS = re.compile(r"[^0-9]")


# A file repeats its amounts (the plans' prices) and dates (a few due days): both are formatted
# once per value.
@functools.lru_cache(maxsize=4096)
def _scaled(value: Decimal | None, places: int) -> str:
    """``value`` in units of 10^-places as digits ("99.90" -> "9990"); ``ValueError`` when it has
    more decimal places or is negative."""
    scaled = Decimal(value or 0).scaleb(places)
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise ValueError(value)
    return str(int(scaled))


@functools.lru_cache(maxsize=4096)
def _date_text(value: date | None, width: int) -> str:
    """DDMMAAAA (8) or DDMMAA (6); zeros without a date."""
    if value is None:
        return "0" * width
    return value.strftime("%d%m%Y" if width == 8 else "%d%m%y")


def only_digits(value: str) -> str:
    return _NOT_DIGITS.sub("", value or "")


@functools.lru_cache(maxsize=16384)
def _text_bytes(value: str, width: int) -> bytes:
    """``value`` cleaned (``clean_text``, ASCII), cut to ``width`` and blank-filled, as bytes."""
    return clean_text(value)[:width].ljust(width).encode("ascii")


class Record:
    """One line being written: ``length`` blanks, then fields put at their manual positions.
    The line is a ``bytearray`` (every value written is ASCII once cleaned): copying a prototype
    and writing a field are memory copies (``Prototypes``; a 100,000-title file writes millions
    of fields)."""

    __slots__ = ("buffer",)

    def __init__(self, length: int):
        self.buffer = bytearray(b" " * length)

    def copy(self) -> Record:
        """A new record starting from this one's positions (``Prototypes``)."""
        record = Record.__new__(Record)
        record.buffer = self.buffer[:]
        return record

    # The methods below inline the field's width and write the buffer themselves.

    def put(self, fld: Field, value: str) -> None:
        start, end = fld.start - 1, fld.end
        if len(value) != end - start:
            raise RemittanceError(
                f"{fld.name}: {value!r} does not have {fld.width} positions", field=fld.name
            )
        self.buffer[start:end] = value.encode("latin-1")

    def text(self, fld: Field, value: str) -> None:
        """Text, cleaned, cut to the field and blank-filled."""
        start, end = fld.start - 1, fld.end
        self.buffer[start:end] = _text_bytes(value, end - start)

    def number(self, fld: Field, value: int | str) -> None:
        text = value if type(value) is str else str(value)
        start, end = fld.start - 1, fld.end
        width = end - start
        if len(text) > width or not (text.isdigit() and text.isascii()):
            raise RemittanceError(
                f"{fld.name}: {value!r} is not a number of up to {fld.width} digits", field=fld.name
            )
        self.buffer[start:end] = text.zfill(width).encode("ascii")

    def amount(self, fld: Field, value: Decimal | None, places: int = 2) -> None:
        try:
            digits = _scaled(value, places)
        except ValueError:
            raise RemittanceError(
                f"{fld.name}: {value} is not a non-negative value with {places} decimal places",
                field=fld.name,
            ) from None
        self.number(fld, digits)

    def date(self, fld: Field, value: date | None) -> None:
        self.put(fld, _date_text(value, fld.width))

    def zeros(self, start: int, end: int) -> None:
        self.buffer[start - 1 : end] = b"0" * (end - start + 1)

    def __str__(self) -> str:
        return self.buffer.decode("latin-1")


@functools.cache
def at(name: str, start: int, end: int) -> Field:
    """The field at ``start``-``end`` (1-based, inclusive); the same object for the same field, so
    writing 100,000 titles does not build a million of them."""
    return Field(name, start, end)


def document_type(document: str) -> str:
    """ "1" CPF (11 digits), "2" CNPJ (14), as FEBRABAN's "tipo de inscrição"."""
    digits = only_digits(document)
    if len(digits) == 11:
        return "1"
    if len(digits) == 14:
        return "2"
    raise RemittanceError(f"{document!r} is neither a CPF (11 digits) nor a CNPJ (14)", field="document")


@dataclass(frozen=True, slots=True)
class BankNumber:
    """The nosso número of a title as the bank writes it in a remittance: ``number`` without the
    check digit and ``dv`` (``""`` where the bank writes none)."""

    number: str
    dv: str


#: The title's values that decide the positions a line shares with other titles (``Prototypes``):
#: the movement and the instructions. Every other value (number, dates, amounts, payer) is
#: written per title.
SHAPE = (
    "movement",
    "species",
    "accept",
    "interest_per_day",
    "interest_rate",
    "fine_rate",
    "protest_days",
    "write_off_days",
)


class Prototypes:
    """The lines of a file's titles start from a copy of a prototype: the positions that depend
    only on the wallet and on the title's ``SHAPE`` (a movement and its instructions, the same for
    nearly every title of a file) are written once per shape, and only the title's own values per
    title. ``fixed(header, title, index)`` must read nothing of the title but ``SHAPE``
    (tests/billing/test_remittance.py builds lines both ways and compares them)."""

    def __init__(self, header: RemittanceHeader, fixed):
        self.header, self.fixed = header, fixed
        self.made: dict[tuple, tuple[Record, ...]] = {}
        self.shape = operator.attrgetter(*SHAPE)

    def __call__(self, title: RemittanceTitle, index: int) -> list[Record]:
        key = self.shape(title)
        records = self.made.get(key)
        if records is None:
            records = self.made[key] = self.fixed(self.header, title, index)
        return [record.copy() for record in records]


def bank_number(header: RemittanceHeader, title: RemittanceTitle) -> BankNumber:
    """The boleto's nosso número (``enlace.billing.boleto``) for this wallet and title."""
    bank, seq = header.bank, title.nosso_numero
    if bank == "001":
        n = bb_nosso_numero(header.convenio, seq)
    elif bank == "104":
        n = caixa_nosso_numero(header.carteira or "1", seq)
    elif bank == "237":
        n = bradesco_nosso_numero(header.carteira, seq)
    elif bank == "341":
        n = itau_nosso_numero(header.agency, header.account, header.carteira, seq)
    elif bank == "748":
        n = sicredi_nosso_numero(
            header.agency, header.posto, header.convenio, title.issue_date.year, seq, header.sicredi_byte
        )
    elif bank == "756":
        n = sicoob_nosso_numero(header.agency, header.convenio, seq)
    else:
        raise RemittanceError(f"no remittance layout for bank {bank!r}", field="bank")
    return BankNumber(n.number, n.dv)


def encode(lines: Iterable[str]) -> bytes:
    return "".join(line + "\r\n" for line in lines).encode("latin-1")


def build_remittance(header: RemittanceHeader, titles: Iterable[RemittanceTitle]) -> bytes:
    """The remittance file of ``header``'s wallet with ``titles``, in order (an empty file, header
    and trailers only, when there are none)."""
    if (header.layout, header.bank) not in MOVEMENT_CODES:
        supported = ", ".join(f"{bank}/{layout}" for layout, bank in SUPPORTED)
        raise RemittanceError(
            f"no remittance layout for bank {header.bank} CNAB {header.layout} (supported: {supported})",
            field="layout",
        )
    if header.layout == "240":
        from .remittance240 import build_remittance240

        return build_remittance240(header, titles)
    from .remittance400 import build_remittance400

    return build_remittance400(header, titles)


def movement_code(header: RemittanceHeader, title: RemittanceTitle, index: int) -> str:
    codes = MOVEMENT_CODES[(header.layout, header.bank)]
    code = codes.get(Movement(title.movement))
    if code is None:
        raise RemittanceError(
            f"bank {header.bank} CNAB {header.layout} has no code for {title.movement}",
            field="movement",
            title=index,
        )
    return code
