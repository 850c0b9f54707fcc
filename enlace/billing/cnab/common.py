"""Shared pieces of the CNAB return parser: the error, the result types and a fixed-width reader.

Positions everywhere in this package are written as in the banks' manuals: 1-based and inclusive
(``Field("paid amount", 78, 92)`` is ``text[77:92]``), so a reader can check them against the
manual page without converting.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO

ZERO = Decimal("0.00")

# Names of the banks this package knows by code ("código de compensação").
BANK_NAMES = {
    "001": "Banco do Brasil",
    "033": "Santander",
    "104": "Caixa Econômica Federal",
    "237": "Bradesco",
    "341": "Itaú",
    "748": "Sicredi",
    "756": "Sicoob",
}


class CnabError(ValueError):
    """A return file that cannot be read safely.

    ``line`` is the 1-based line of the file where the problem is (``None`` only when no line can be
    named); ``field`` names the field that is wrong, when there is one. ``str(error)`` starts with
    the line so it can be shown to the operator as it is.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.message = message
        self.line = line
        self.field = field
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class Field:
    """A fixed-width field: 1-based, inclusive positions as printed in the bank's manual."""

    name: str
    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def where(self) -> str:
        return f"positions {self.start}-{self.end}" if self.end > self.start else f"position {self.start}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRecord:
    """One title ("título") reported by the bank: a T+U pair in CNAB 240, a detail in CNAB 400."""

    line: int  # first line of the record (the T segment in CNAB 240)
    lines: tuple[int, ...]  # every line the record was read from
    wallet: str  # the bank's "carteira" code as written in the record
    nosso_numero: str  # as the bank writes it (surrounding blanks removed), DV included if written
    nosso_numero_normalized: str  # digits only, DV and BB convênio prefix removed, no leading zeros
    nosso_numero_dv: str | None  # the check digit the bank wrote with the number, when identifiable
    document_number: str  # "seu número" / número do documento
    company_use: str  # "uso da empresa" / número de controle do participante
    payer_name: str
    occurrence_code: str
    occurrence_description: str
    occurrence_reasons: tuple[str, ...]  # "motivos da ocorrência", "00" and blanks left out
    occurrence_date: date | None
    due_date: date | None
    credit_date: date | None
    face_value: Decimal
    paid_amount: Decimal
    paid_amount_is_net: bool  # True where the bank's paid field is already net of the bank fee
    net_amount: Decimal | None  # amount credited to the account, when the layout reports it
    interest: Decimal  # interest and fine ("juros/multa/encargos")
    discount: Decimal
    abatement: Decimal
    iof: Decimal
    bank_fee: Decimal  # "tarifa" / "despesas de cobrança"
    other_expenses: Decimal
    other_credits: Decimal
    collecting_bank: str  # "banco recebedor/cobrador"
    is_settlement: bool

    @property
    def payer_amount(self) -> Decimal:
        """What the payer paid: ``paid_amount``, plus the bank fee where the bank reports it net
        (Itaú CNAB 400 "valor principal")."""
        if self.paid_amount_is_net and self.paid_amount:
            return self.paid_amount + self.bank_fee
        return self.paid_amount


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnFile:
    layout: str  # "240" or "400"
    bank_code: str
    bank_name: str
    company_name: str
    company_document: str | None  # CNPJ/CPF in the file header (CNAB 240 only)
    agency: str | None
    agency_dv: str | None
    account: str | None
    account_dv: str | None
    convenio: str | None  # convênio / código do beneficiário / código da empresa, as in the header
    file_sequence: int | None
    generation_date: date | None
    sha256: str  # of the raw bytes, for "already imported" detection
    records: tuple[ReturnRecord, ...] = field(default=())
    warnings: tuple[str, ...] = ()  # accepted without being checked (a blank Bradesco trailer count)

    @property
    def settlements(self) -> tuple[ReturnRecord, ...]:
        return tuple(r for r in self.records if r.is_settlement)

    @property
    def others(self) -> tuple[ReturnRecord, ...]:
        return tuple(r for r in self.records if not r.is_settlement)


def _is_digits(text: str) -> bool:
    # str.isdigit() alone accepts Latin-1 superscripts ("²"); CNAB digits are ASCII.
    return text.isascii() and text.isdigit()


@functools.lru_cache(maxsize=8192)
def _cents(value: str) -> Decimal | None:
    """The amount of a field of digits with two implied decimal places (``None``: not digits).
    Cached: most amount fields of a return are zeros or repeat the plans' prices."""
    return Decimal(int(value)).scaleb(-2) if _is_digits(value) else None


class Line:
    """One padded line of a return file and the readers that validate its fields."""

    __slots__ = ("number", "text")

    def __init__(self, number: int, text: str):
        self.number = number
        self.text = text

    def error(self, message: str, fld: Field | None = None) -> CnabError:
        return CnabError(message, line=self.number, field=fld.name if fld else None)

    def raw(self, fld: Field) -> str:
        return self.text[fld.start - 1 : fld.end]

    def alpha(self, fld: Field) -> str:
        return self.raw(fld).strip()

    def digits(self, fld: Field) -> str:
        value = self.raw(fld)
        if not _is_digits(value):
            raise self.error(f"{fld.name} ({fld.where}) must be digits, found {value!r}", fld)
        return value

    def integer(self, fld: Field) -> int:
        return int(self.digits(fld))

    def amount(self, fld: Field) -> Decimal:
        """A value with two implied decimal places ("13v2" in the manuals)."""
        value = self.text[fld.start - 1 : fld.end]
        amount = _cents(value)
        if amount is None:
            raise self.error(f"{fld.name} ({fld.where}) must be an amount in digits, found {value!r}", fld)
        return amount

    def date_value(self, fld: Field) -> date | None:
        """DDMMAAAA (8 positions) or DDMMAA (6 positions; years 70-99 are 19xx). Zeros or blanks
        mean "no date" and give ``None``."""
        value = self.raw(fld)
        if not value.strip(" 0"):
            return None
        if not _is_digits(value):
            raise self.error(f"{fld.name} ({fld.where}) must be a date in digits, found {value!r}", fld)
        day, month = int(value[:2]), int(value[2:4])
        if len(value) == 8:
            year = int(value[4:])
        else:
            yy = int(value[4:])
            year = 1900 + yy if yy >= 70 else 2000 + yy
        try:
            return date(year, month, day)
        except ValueError:
            raise self.error(f"{fld.name} ({fld.where}) is not a valid date: {value!r}", fld) from None

    def optional_integer(self, fld: Field) -> int | None:
        """For informational header fields only: ``None`` where the field is not digits."""
        value = self.raw(fld)
        return int(value) if _is_digits(value) else None

    def optional_date(self, fld: Field) -> date | None:
        """For informational header fields only: ``None`` where the field is not a date."""
        try:
            return self.date_value(fld)
        except CnabError:
            return None

    def reasons(self, fld: Field) -> tuple[str, ...]:
        value = self.raw(fld)
        pairs = (value[i : i + 2] for i in range(0, len(value), 2))
        return tuple(p for p in pairs if p.strip() and p != "00")


_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_UTF8_BOM = "\N{LATIN SMALL LETTER I WITH DIAERESIS}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}\N{INVERTED QUESTION MARK}"
CHUNK_SIZE = 64 * 1024


def iter_lines(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The lines of a binary stream, read ``chunk_size`` bytes at a time (never the whole file):
    decoded as Latin-1 and split on CRLF, LF or CR (never on the other characters
    ``str.splitlines`` treats as breaks: byte 0x85 is a valid Latin-1 character). Trailing empty
    lines and a final DOS end-of-file mark (Ctrl-Z) are dropped; a UTF-8 byte-order mark is
    ignored. A short read is not the end: only ``b""`` is."""
    pending = ""  # text after the last line break seen (a trailing CR waits for a possible LF)
    blanks = 0  # blank lines held back (given as ""): they are dropped if nothing follows them
    first = True
    while True:
        chunk = stream.read(chunk_size)
        if chunk and first and len(pending) + len(chunk) < len(_UTF8_BOM):
            pending += chunk.decode("latin-1")
            continue
        text = pending + chunk.decode("latin-1")
        if first:
            first = False
            if text.startswith(_UTF8_BOM):
                text = text[len(_UTF8_BOM) :]
        if not chunk:
            break
        parts = _LINE_BREAK.split(text[:-1] if text.endswith("\r") else text)
        pending = parts.pop() + ("\r" if text.endswith("\r") else "")
        for line in parts:
            if line.strip():
                yield from itertools.repeat("", blanks)
                blanks = 0
                yield line
            else:
                blanks += 1
    # the end of the file: the text after the last break, without a final Ctrl-Z
    for line in _LINE_BREAK.split(text.rstrip("\x1a")):
        if line.strip():
            yield from itertools.repeat("", blanks)
            blanks = 0
            yield line
        else:
            blanks += 1


def split_lines(data: bytes) -> list[str]:
    """``iter_lines`` of bytes already in memory."""
    return list(iter_lines(io.BytesIO(data)))


def bank_name(code: str, fallback: str = "") -> str:
    return BANK_NAMES.get(code) or fallback.strip() or f"Bank {code}"


def strip_zeros(digits: str) -> str:
    """Leading zeros removed; an all-zero or empty number gives ``""`` (no nosso número)."""
    return digits.lstrip("0")
