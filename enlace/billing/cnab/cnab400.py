"""CNAB 400 return files ("cobrança") of Itaú (341), Bradesco (237) and Banco do Brasil (001).

A file is: header (record type 0, "02RETORNO01COBRANCA"), details, trailer (9). Every record ends
with its sequence number in the file (positions 395-400), which is checked: a missing or repeated
line is refused. Details are record type 1 (Banco do Brasil: 7 for convênios of 7 digits, 1 for
convênios of 6 digits); optional record types a bank documents for returns are skipped (Itaú 3 -
hybrid boleto/PIX data; Bradesco 3 - credit split); anything else is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from .common import (
    ZERO,
    Field,
    Line,
    ReturnRecord,
    bank_name,
    strip_zeros,
)
from .occurrences import describe, settles

LENGTH = 400
SUPPORTED_BANKS = ("001", "237", "341")

RECORD_TYPE = Field("record type", 1, 1)
SEQUENCE = Field("record sequence number", 395, 400)

# Header, common to the three banks.
H_OPERATION = Field("operation", 2, 2)
H_LITERAL = Field("operation literal", 3, 9)
H_COMPANY = Field("company name", 47, 76)
H_BANK = Field("bank code", 77, 79)
H_BANK_NAME = Field("bank name", 80, 94)
H_GENERATED = Field("file generation date", 95, 100)
# Itaú header.
H_ITAU_AGENCY = Field("agency", 27, 30)
H_ITAU_ACCOUNT = Field("account", 33, 37)
H_ITAU_ACCOUNT_DV = Field("account check digit", 38, 38)
H_ITAU_SEQUENCE = Field("file sequence number", 109, 113)
# Bradesco header.
H_BRADESCO_COMPANY_CODE = Field("company code", 27, 46)
# Banco do Brasil header (CBR643).
H_BB_AGENCY = Field("agency", 27, 30)
H_BB_AGENCY_DV = Field("agency check digit", 31, 31)
H_BB_ACCOUNT = Field("account", 32, 39)
H_BB_ACCOUNT_DV = Field("account check digit", 40, 40)
H_BB_CONVENIO_6 = Field("convênio", 41, 46)
H_BB_SEQUENCE = Field("file sequence number", 101, 107)
H_BB_CONVENIO_7 = Field("convênio", 150, 156)

# Details: positions shared by the three banks.
D_OCCURRENCE = Field("occurrence code", 109, 110)
D_OCCURRENCE_DATE = Field("occurrence date", 111, 116)
D_DOCUMENT = Field("document number", 117, 126)
D_DUE = Field("due date", 147, 152)
D_FACE = Field("face value", 153, 165)
D_COLLECTING_BANK = Field("collecting bank", 166, 168)
D_IOF = Field("IOF", 215, 227)
D_ABATEMENT = Field("abatement", 228, 240)
D_DISCOUNT = Field("discount", 241, 253)
D_PAID = Field("paid amount", 254, 266)
D_INTEREST = Field("interest and fine", 267, 279)
D_OTHER_CREDITS = Field("other credits", 280, 292)

# Itaú detail (type 1).
ITAU_COMPANY_USE = Field("company use", 38, 62)
ITAU_NOSSO_NUMERO = Field("nosso número", 63, 70)
ITAU_WALLET = Field("wallet", 83, 85)
ITAU_DAC = Field("nosso número check digit (DAC)", 94, 94)
ITAU_FEE = Field("bank fee", 176, 188)
ITAU_CREDIT_DATE = Field("credit date", 296, 301)
ITAU_PAYER_NAME = Field("payer name", 325, 354)
ITAU_REASONS = Field("occurrence reasons", 378, 385)
# Itaú trailer.
ITAU_T_COUNT = Field("number of detail records", 213, 220)
ITAU_T_TOTAL = Field("total face value of the details", 221, 234)

# Bradesco detail (type 1).
BRADESCO_WALLET = Field("wallet", 22, 24)
BRADESCO_COMPANY_USE = Field("company use", 38, 62)
BRADESCO_NOSSO_NUMERO = Field("nosso número", 71, 82)  # 11 digits + DV (0-9 or P)
BRADESCO_FEE = Field("bank fee", 176, 188)
BRADESCO_OTHER_EXPENSES = Field("other expenses", 189, 201)
BRADESCO_CREDIT_DATE = Field("credit date", 296, 301)
BRADESCO_REASONS = Field("occurrence reasons", 319, 328)
# Bradesco trailer: counts checked against the details (the values are not: see docs/cnab.md).
BRADESCO_T_COUNTS = (
    (Field("number of occurrence 02 records", 58, 62), frozenset({"02"})),
    (Field("number of occurrence 09 and 10 records", 104, 108), frozenset({"09", "10"})),
)

# Banco do Brasil detail, type 7 (convênio of 7 digits) and type 1 (convênio of 6 digits).
BB7_CONVENIO = Field("convênio", 32, 38)
BB7_COMPANY_USE = Field("company use", 39, 63)
BB7_NOSSO_NUMERO = Field("nosso número", 64, 80)
BB7_REASONS = Field("occurrence reasons", 87, 88)
BB1_CONVENIO = Field("convênio", 32, 37)
BB1_COMPANY_USE = Field("company use", 38, 62)
BB1_NOSSO_NUMERO = Field("nosso número", 63, 74)  # 11 digits + DV
BB1_REASONS = Field("occurrence reasons", 81, 82)
BB_WALLET = Field("wallet", 107, 108)
BB_CREDIT_DATE = Field("credit date", 176, 181)
BB_FEE = Field("bank fee", 182, 188)
BB_OTHER_EXPENSES = Field("other expenses", 189, 201)
BB_NET = Field("net amount", 306, 318)


def looks_like_header(text: str) -> bool:
    return text[:1] == "0" and text[2:9] in ("RETORNO", "REMESSA")


def _digits_or_error(line: Line, fld: Field, value: str) -> str:
    if not (value.isascii() and value.isdigit()):
        raise line.error(f"{fld.name} ({fld.where}) must be digits, found {value!r}", fld)
    return value


def _common(line: Line, bank: str) -> dict:
    code = line.digits(D_OCCURRENCE)
    return {
        "line": line.number,
        "lines": (line.number,),
        "document_number": line.alpha(D_DOCUMENT),
        "occurrence_code": code,
        "occurrence_description": describe("400", bank, code),
        "occurrence_date": line.date_value(D_OCCURRENCE_DATE),
        "due_date": line.date_value(D_DUE),
        "face_value": line.amount(D_FACE),
        "paid_amount": line.amount(D_PAID),
        "interest": line.amount(D_INTEREST),
        "discount": line.amount(D_DISCOUNT),
        "abatement": line.amount(D_ABATEMENT),
        "iof": line.amount(D_IOF),
        "other_credits": line.amount(D_OTHER_CREDITS),
        "collecting_bank": line.alpha(D_COLLECTING_BANK),
        "is_settlement": settles("400", bank, code),
    }


def _itau_detail(line: Line) -> ReturnRecord:
    fields = _common(line, "341")
    raw = line.raw(ITAU_NOSSO_NUMERO).strip()
    if raw:
        line.digits(ITAU_NOSSO_NUMERO)
    return ReturnRecord(
        **fields,
        wallet=line.alpha(ITAU_WALLET),
        nosso_numero=raw,
        nosso_numero_normalized=strip_zeros(raw),
        nosso_numero_dv=line.alpha(ITAU_DAC) or None,
        company_use=line.alpha(ITAU_COMPANY_USE),
        payer_name=line.alpha(ITAU_PAYER_NAME),
        occurrence_reasons=line.reasons(ITAU_REASONS),
        credit_date=line.date_value(ITAU_CREDIT_DATE),
        # "Valor principal": the amount credited to the account, net of the bank fee.
        paid_amount_is_net=True,
        net_amount=fields["paid_amount"],
        bank_fee=line.amount(ITAU_FEE),
        other_expenses=ZERO,
    )


def _bradesco_detail(line: Line) -> ReturnRecord:
    fields = _common(line, "237")
    raw = line.raw(BRADESCO_NOSSO_NUMERO).strip()
    normalized, dv = "", None
    if raw:
        full = line.raw(BRADESCO_NOSSO_NUMERO)
        normalized = strip_zeros(_digits_or_error(line, BRADESCO_NOSSO_NUMERO, full[:11]))
        dv = full[11]
        if not (dv.isascii() and dv.isdigit()) and dv != "P":
            raise line.error(
                f"nosso número check digit (position {BRADESCO_NOSSO_NUMERO.end}) must be 0-9 or P, found {dv!r}",
                BRADESCO_NOSSO_NUMERO,
            )
    return ReturnRecord(
        **fields,
        wallet=line.alpha(BRADESCO_WALLET),
        nosso_numero=raw,
        nosso_numero_normalized=normalized,
        nosso_numero_dv=dv,
        company_use=line.alpha(BRADESCO_COMPANY_USE),
        payer_name="",
        occurrence_reasons=line.reasons(BRADESCO_REASONS),
        credit_date=line.date_value(BRADESCO_CREDIT_DATE),
        paid_amount_is_net=False,
        net_amount=None,
        bank_fee=line.amount(BRADESCO_FEE),
        other_expenses=line.amount(BRADESCO_OTHER_EXPENSES),
    )


def _bb_detail(line: Line) -> ReturnRecord:
    fields = _common(line, "001")
    if line.raw(RECORD_TYPE) == "7":
        raw = line.raw(BB7_NOSSO_NUMERO).strip()
        normalized, dv = "", None
        if raw:  # convênio (7 digits) + sequence (10 digits), no check digit
            normalized = strip_zeros(line.digits(BB7_NOSSO_NUMERO)[7:])
        company_use, reasons = line.alpha(BB7_COMPANY_USE), line.reasons(BB7_REASONS)
    else:
        raw = line.raw(BB1_NOSSO_NUMERO).strip()
        normalized, dv = "", None
        if raw:  # convênio (6 digits) + sequence (5 digits) + DV
            full = line.raw(BB1_NOSSO_NUMERO)
            body = _digits_or_error(line, BB1_NOSSO_NUMERO, full[:11])
            convenio = line.raw(BB1_CONVENIO)
            if body.startswith(convenio):
                body = body[len(convenio) :]
            normalized, dv = strip_zeros(body), full[11]
        company_use, reasons = line.alpha(BB1_COMPANY_USE), line.reasons(BB1_REASONS)
    return ReturnRecord(
        **fields,
        wallet=line.alpha(BB_WALLET),
        nosso_numero=raw,
        nosso_numero_normalized=normalized,
        nosso_numero_dv=dv,
        company_use=company_use,
        payer_name="",
        occurrence_reasons=reasons,
        credit_date=line.date_value(BB_CREDIT_DATE),
        paid_amount_is_net=False,
        net_amount=line.amount(BB_NET),
        bank_fee=line.amount(BB_FEE),
        other_expenses=line.amount(BB_OTHER_EXPENSES),
    )


class _Tally:
    """What the trailers are checked against, counted as the details go by (the details
    themselves are not kept)."""

    __slots__ = ("codes", "count", "face_total")

    def __init__(self):
        self.count = 0
        self.face_total = Decimal("0.00")
        self.codes: Counter[str] = Counter()

    def add(self, record: ReturnRecord) -> None:
        self.count += 1
        self.face_total += record.face_value
        self.codes[record.occurrence_code] += 1


def _itau_trailer(line: Line, tally: _Tally, warnings: list[str]) -> None:
    declared = line.integer(ITAU_T_COUNT)
    if declared != tally.count:
        raise line.error(
            f"{ITAU_T_COUNT.name} ({ITAU_T_COUNT.where}) says {declared}, the file has {tally.count}",
            ITAU_T_COUNT,
        )
    total = line.amount(ITAU_T_TOTAL)
    if total != tally.face_total:
        raise line.error(
            f"{ITAU_T_TOTAL.name} ({ITAU_T_TOTAL.where}) says {total}, the details add up to {tally.face_total}",
            ITAU_T_TOTAL,
        )


def _bradesco_trailer(line: Line, tally: _Tally, warnings: list[str]) -> None:
    """The counts are checked where the bank wrote them. A count left blank is not refused: the
    details were each read and their sequence numbers checked, so the file is accepted with a
    warning that the trailer could not confirm them (some Bradesco files leave them blank)."""
    for fld, codes in BRADESCO_T_COUNTS:
        if not line.raw(fld).strip():
            warnings.append(
                f"line {line.number}: the trailer's {fld.name} ({fld.where}) is blank; "
                "the details were not checked against it"
            )
            continue
        declared = line.integer(fld)
        actual = sum(tally.codes[c] for c in codes)
        if declared != actual:
            raise line.error(f"{fld.name} ({fld.where}) says {declared}, the file has {actual}", fld)


def _no_trailer_check(line: Line, tally: _Tally, warnings: list[str]) -> None:
    """Banco do Brasil's trailer totals the titles in the portfolio, not the file's details."""


@dataclass(frozen=True)
class _Bank:
    details: frozenset[str]
    optional: frozenset[str]
    detail: Callable[[Line], ReturnRecord]
    trailer: Callable[[Line, _Tally, list[str]], None]


BANKS = {
    "341": _Bank(frozenset("1"), frozenset("3"), _itau_detail, _itau_trailer),
    "237": _Bank(frozenset("1"), frozenset("3"), _bradesco_detail, _bradesco_trailer),
    "001": _Bank(frozenset("17"), frozenset(), _bb_detail, _no_trailer_check),
}


def _account_fields(header: Line, bank: str) -> dict:
    if bank == "341":
        return {
            "agency": header.alpha(H_ITAU_AGENCY) or None,
            "agency_dv": None,
            "account": header.alpha(H_ITAU_ACCOUNT) or None,
            "account_dv": header.alpha(H_ITAU_ACCOUNT_DV) or None,
            "convenio": None,
            "file_sequence": header.optional_integer(H_ITAU_SEQUENCE),
        }
    if bank == "237":  # the header has the company code only; no file sequence number
        return {
            "agency": None,
            "agency_dv": None,
            "account": None,
            "account_dv": None,
            "convenio": header.alpha(H_BRADESCO_COMPANY_CODE) or None,
            "file_sequence": None,
        }
    convenio = strip_zeros(header.raw(H_BB_CONVENIO_7).strip()) or strip_zeros(
        header.raw(H_BB_CONVENIO_6).strip()
    )
    return {
        "agency": header.alpha(H_BB_AGENCY) or None,
        "agency_dv": header.alpha(H_BB_AGENCY_DV) or None,
        "account": header.alpha(H_BB_ACCOUNT) or None,
        "account_dv": header.alpha(H_BB_ACCOUNT_DV) or None,
        "convenio": convenio or None,
        "file_sequence": header.optional_integer(H_BB_SEQUENCE),
    }


def header_fields(header: Line) -> dict:
    """The header's fields of a ``ReturnFile``; a remittance file or a bank whose CNAB 400 is not
    supported is refused here, at line 1."""
    if header.raw(H_OPERATION) == "1" or header.raw(H_LITERAL) == "REMESSA":
        raise header.error("this is a remittance file (remessa), not a return file (retorno)", H_OPERATION)
    if header.raw(H_OPERATION) != "2":
        raise header.error(
            f"{H_OPERATION.name} ({H_OPERATION.where}) must be '2' (retorno), found {header.raw(H_OPERATION)!r}",
            H_OPERATION,
        )
    bank = header.raw(H_BANK)
    if bank not in BANKS:
        raise header.error(
            f"CNAB 400 return files of bank {bank!r} ({H_BANK.where}) are not supported; "
            f"supported banks: {', '.join(SUPPORTED_BANKS)}",
            H_BANK,
        )
    return {
        "layout": "400",
        "bank_code": bank,
        "bank_name": bank_name(bank, header.raw(H_BANK_NAME)),
        "company_name": header.alpha(H_COMPANY),
        "company_document": None,
        "generation_date": header.optional_date(H_GENERATED),
        **_account_fields(header, bank),
    }


def records(header: Line, lines: Iterator[Line], warnings: list[str] | None = None) -> Iterator[ReturnRecord]:
    """The details of the lines after ``header`` (checked by ``header_fields``), one by one as they
    are read; a ``CnabError`` as soon as a line is wrong (the trailer's totals, checked at the end,
    included). What is accepted but could not be checked is appended to ``warnings``."""
    if warnings is None:
        warnings = []
    bank = header.raw(H_BANK)
    spec = BANKS[bank]
    sequence = header.raw(SEQUENCE)
    if sequence != "000001":
        raise header.error(
            f"{SEQUENCE.name} ({SEQUENCE.where}) is {sequence!r}, expected 000001: "
            "a record is missing or repeated",
            SEQUENCE,
        )

    tally = _Tally()
    trailer: Line | None = None
    last = header
    for index, line in enumerate(lines, start=2):
        last = line
        if trailer is not None:
            if line.text.strip():
                raise line.error(f"data after the file trailer (line {trailer.number})")
            continue
        if not line.text.strip():
            raise line.error("empty line inside the file")
        sequence = line.raw(SEQUENCE)
        if sequence != f"{index:06d}":
            raise line.error(
                f"{SEQUENCE.name} ({SEQUENCE.where}) is {sequence!r}, expected {index:06d}: "
                "a record is missing or repeated",
                SEQUENCE,
            )
        kind = line.raw(RECORD_TYPE)
        if kind in spec.details:
            record = spec.detail(line)
            tally.add(record)
            yield record
        elif kind == "9":
            trailer_bank = line.text[4:7]
            if trailer_bank != bank:
                raise line.error(
                    f"bank code {trailer_bank!r} (positions 5-7) differs from the header's {bank!r}"
                )
            spec.trailer(line, tally, warnings)
            trailer = line
        elif kind in spec.optional:
            continue
        elif kind == "0":
            raise line.error("a second header (record type 0)", RECORD_TYPE)
        else:
            expected = ", ".join(sorted(spec.details | spec.optional | {"9"}))
            raise line.error(
                f"unknown record type {kind!r} ({RECORD_TYPE.where}) for bank {bank}; expected {expected}",
                RECORD_TYPE,
            )

    if trailer is None:
        raise last.error("the file ends without its trailer (record type 9): the file is truncated")
