"""CNAB 240 return files, FEBRABAN "Layout Padrão CNAB 240" V08.x/V10.x, service 01 (cobrança).

A file is: file header (record type 0), one or more lots (lot header 1, details 3 as segments T and
U, lot trailer 5), file trailer (9). Each title is a segment T followed by its segment U. Optional
informational segments W and Y may follow and are skipped; any other segment is refused.
"""

from __future__ import annotations

from collections.abc import Iterator

from .common import (
    Field,
    Line,
    ReturnRecord,
    bank_name,
    strip_zeros,
)
from .occurrences import describe, settles

LENGTH = 240

# Every record.
BANK = Field("bank code", 1, 3)
LOT = Field("lot number", 4, 7)
RECORD_TYPE = Field("record type", 8, 8)
SEQUENCE = Field("record sequence in lot", 9, 13)
SEGMENT = Field("segment", 14, 14)

# File header (record type 0), FEBRABAN G001-G025.
H_DOCUMENT = Field("company CNPJ/CPF", 19, 32)
H_CONVENIO = Field("convênio", 33, 52)
H_CONVENIO_BB = Field("BB convênio number", 33, 41)
H_AGENCY = Field("agency", 53, 57)
H_AGENCY_DV = Field("agency check digit", 58, 58)
H_ACCOUNT = Field("account", 59, 70)
H_ACCOUNT_DV = Field("account check digit", 71, 71)
H_COMPANY = Field("company name", 73, 102)
H_BANK_NAME = Field("bank name", 103, 132)
H_GENERATED = Field("file generation date", 144, 151)
H_SEQUENCE = Field("file sequence number", 158, 163)

# Lot header (record type 1).
LH_OPERATION = Field("operation type", 9, 9)
LH_SERVICE = Field("service type", 10, 11)

# Segment T.
T_OCCURRENCE = Field("occurrence code", 16, 17)
T_NOSSO_NUMERO = Field("nosso número", 38, 57)
T_NOSSO_NUMERO_SICOOB = Field("nosso número", 38, 47)  # 9 digits + DV; then parcela, modalidade
# Caixa SIGCB: modalidade (2: "14" registrada, "24" sem registro, issued by the beneficiary) + 15 digits.
T_NOSSO_NUMERO_CAIXA = Field("nosso número", 40, 56)
# Itaú: carteira (3) + nosso número (8) + DAC (1); 50-57 blank.
T_NOSSO_NUMERO_ITAU = Field("nosso número", 38, 49)
T_WALLET = Field("wallet", 58, 58)
T_DOCUMENT = Field("document number", 59, 73)
T_DUE = Field("due date", 74, 81)
T_FACE = Field("face value", 82, 96)
T_COLLECTING_BANK = Field("collecting bank", 97, 99)
T_COMPANY_USE = Field("company use", 106, 130)
T_PAYER_NAME = Field("payer name", 149, 188)
T_FEE = Field("bank fee", 199, 213)
T_REASONS = Field("occurrence reasons", 214, 223)

# Segment U.
U_OCCURRENCE = Field("occurrence code", 16, 17)
U_INTEREST = Field("interest and fine", 18, 32)
U_DISCOUNT = Field("discount", 33, 47)
U_ABATEMENT = Field("abatement", 48, 62)
U_IOF = Field("IOF", 63, 77)
U_PAID = Field("paid amount", 78, 92)
U_NET = Field("net amount", 93, 107)
U_OTHER_EXPENSES = Field("other expenses", 108, 122)
U_OTHER_CREDITS = Field("other credits", 123, 137)
U_OCCURRENCE_DATE = Field("occurrence date", 138, 145)
U_CREDIT_DATE = Field("credit date", 146, 153)

# Lot trailer (5) and file trailer (9).
LT_RECORDS = Field("number of records in the lot", 18, 23)
FT_LOTS = Field("number of lots", 18, 23)
FT_RECORDS = Field("number of records in the file", 24, 29)

OPTIONAL_SEGMENTS = frozenset("WY")


def looks_like_header(text: str) -> bool:
    return text[:3].isascii() and text[:3].isdigit() and text[3:8] == "00000"


def _digits_of(t: Line, fld: Field, raw: str) -> str:
    if not (raw.isascii() and raw.isdigit()):
        raise t.error(f"nosso número ({fld.where}) must be digits, found {raw!r}", fld)
    return raw


def _nosso_numero(bank: str, t: Line, bb_convenio: str) -> tuple[str, str, str | None]:
    """(as written, normalized, check digit) per bank; see docs/cnab.md "Nosso número as each bank
    writes it". ``normalized`` is the wallet's number (``Invoice.nosso_numero``) as text."""
    if bank == "756":
        raw = t.raw(T_NOSSO_NUMERO_SICOOB).strip()
        if not raw:
            return "", "", None
        digits = t.digits(T_NOSSO_NUMERO_SICOOB)
        return raw, strip_zeros(digits[:-1]), digits[-1]
    if bank == "104":
        # Caixa SIGCB writes the modalidade and the 15-digit number at 40-56, no check digit: the
        # wallet's number is the 15 digits after the modalidade.
        raw = t.raw(T_NOSSO_NUMERO_CAIXA).strip()
        if not raw:
            return "", "", None
        digits = _digits_of(t, T_NOSSO_NUMERO_CAIXA, t.raw(T_NOSSO_NUMERO_CAIXA))
        return raw, strip_zeros(digits[2:]), None
    if bank == "341":
        # Itaú writes carteira (3), nosso número (8) and its DAC (1) at 38-49.
        raw = t.raw(T_NOSSO_NUMERO_ITAU).strip()
        if not raw:
            return "", "", None
        digits = _digits_of(t, T_NOSSO_NUMERO_ITAU, t.raw(T_NOSSO_NUMERO_ITAU))
        return raw, strip_zeros(digits[3:11]), digits[11]
    if bank == "748":
        # Sicredi writes YYBNNNNND (year, byte, 5-digit sequence, check digit) from position 38,
        # left-aligned: the wallet's number is the eight digits before the check digit.
        raw = t.alpha(T_NOSSO_NUMERO)
        if not raw:
            return "", "", None
        digits = _digits_of(t, T_NOSSO_NUMERO, raw)
        return raw, strip_zeros(digits[:-1]), digits[-1]
    raw = t.alpha(T_NOSSO_NUMERO)
    if bank == "001" and raw:
        # 12 positions: convênio of 4 or 6 digits + sequence (11 digits) + DV (0-9 or X).
        with_dv = len(raw) == 12 and raw[11] in "0123456789X"
        digits = raw[:11] if with_dv else raw
        if not (digits.isascii() and digits.isdigit()):
            raise t.error(
                f"nosso número ({T_NOSSO_NUMERO.where}) must be digits, found {raw!r}", T_NOSSO_NUMERO
            )
        if len(raw) == 17:  # convênio of 7 digits + 10-digit sequence, no DV
            return raw, strip_zeros(raw[7:]), None
        if with_dv:
            body = raw[:11]
            if bb_convenio and body.startswith(bb_convenio) and len(body) > len(bb_convenio):
                body = body[len(bb_convenio) :]
            return raw, strip_zeros(body), raw[11]
        return raw, strip_zeros(raw), None
    return raw, strip_zeros("".join(c for c in raw if c.isascii() and c.isdigit())), None


def _record(bank: str, t: Line, u: Line, bb_convenio: str) -> ReturnRecord:
    code = t.digits(T_OCCURRENCE)
    u_code = u.raw(U_OCCURRENCE)
    if u_code.strip() and u_code != code:  # a mismatch means T and U of different titles
        raise u.error(
            f"segment U has occurrence code {u_code!r} but its segment T (line {t.number}) has {code!r}",
            U_OCCURRENCE,
        )
    raw, normalized, dv = _nosso_numero(bank, t, bb_convenio)
    return ReturnRecord(
        line=t.number,
        lines=(t.number, u.number),
        wallet=t.alpha(T_WALLET),
        nosso_numero=raw,
        nosso_numero_normalized=normalized,
        nosso_numero_dv=dv,
        document_number=t.alpha(T_DOCUMENT),
        company_use=t.alpha(T_COMPANY_USE),
        payer_name=t.alpha(T_PAYER_NAME),
        occurrence_code=code,
        occurrence_description=describe("240", bank, code),
        occurrence_reasons=t.reasons(T_REASONS),
        occurrence_date=u.date_value(U_OCCURRENCE_DATE),
        due_date=t.date_value(T_DUE),
        credit_date=u.date_value(U_CREDIT_DATE),
        face_value=t.amount(T_FACE),
        paid_amount=u.amount(U_PAID),
        paid_amount_is_net=False,
        net_amount=u.amount(U_NET),
        interest=u.amount(U_INTEREST),
        discount=u.amount(U_DISCOUNT),
        abatement=u.amount(U_ABATEMENT),
        iof=u.amount(U_IOF),
        bank_fee=t.amount(T_FEE),
        other_expenses=u.amount(U_OTHER_EXPENSES),
        other_credits=u.amount(U_OTHER_CREDITS),
        collecting_bank=t.alpha(T_COLLECTING_BANK),
        is_settlement=settles("240", bank, code),
    )


def header_fields(header: Line) -> dict:
    """The file header's fields of a ``ReturnFile`` (layout, bank, company, account...)."""
    bank = header.raw(BANK)
    return {
        "layout": "240",
        "bank_code": bank,
        "bank_name": bank_name(bank, header.raw(H_BANK_NAME)),
        "company_name": header.alpha(H_COMPANY),
        "company_document": header.alpha(H_DOCUMENT) or None,
        "agency": header.alpha(H_AGENCY) or None,
        "agency_dv": header.alpha(H_AGENCY_DV) or None,
        "account": header.alpha(H_ACCOUNT) or None,
        "account_dv": header.alpha(H_ACCOUNT_DV) or None,
        "convenio": header.alpha(H_CONVENIO) or None,
        # Informational only, and lenient: the Sicoob sample's header is 17 positions short.
        "file_sequence": header.optional_integer(H_SEQUENCE),
        "generation_date": header.optional_date(H_GENERATED),
    }


def records(header: Line, lines: Iterator[Line], warnings: list[str] | None = None) -> Iterator[ReturnRecord]:
    """The titles of the lines after ``header``, one by one as they are read; a ``CnabError`` as
    soon as a line is wrong (the trailer's counts, checked at the end, included). Every CNAB 240
    check is strict, so nothing is appended to ``warnings``."""
    bank = header.raw(BANK)
    bb_convenio = strip_zeros(header.raw(H_CONVENIO_BB).strip()) if bank == "001" else ""

    lots = 0
    lot: str | None = None  # number of the open lot
    lot_records = 0
    pending_t: Line | None = None
    trailer: Line | None = None
    last = header

    for line in lines:
        last = line
        if trailer is not None:
            if line.text.strip():
                raise line.error(f"data after the file trailer (line {trailer.number})")
            continue
        if not line.text.strip():
            raise line.error("empty line inside the file")
        if line.raw(BANK) != bank:
            raise line.error(f"bank code {line.raw(BANK)!r} differs from the file header's {bank!r}", BANK)
        kind = line.raw(RECORD_TYPE)
        if lot is not None:
            lot_records += 1

        if kind == "1":
            if lot is not None:
                raise line.error(f"lot header while lot {lot} is still open (its trailer is missing)")
            operation = line.raw(LH_OPERATION)
            if operation == "R":
                raise line.error("this is a remittance file (remessa, operation 'R'), not a return file")
            if operation != "T":
                raise line.error(
                    f"operation type ({LH_OPERATION.where}) must be 'T' (return), found {operation!r}",
                    LH_OPERATION,
                )
            service = line.raw(LH_SERVICE)
            if service != "01":
                raise line.error(
                    f"service type ({LH_SERVICE.where}) must be '01' (cobrança), found {service!r}",
                    LH_SERVICE,
                )
            lot, lot_records = line.raw(LOT), 1
            lots += 1
        elif kind == "3":
            if lot is None:
                raise line.error("detail record outside a lot (no lot header before it)")
            if line.raw(LOT) != lot:
                raise line.error(f"detail record of lot {line.raw(LOT)!r} inside lot {lot!r}", LOT)
            segment = line.raw(SEGMENT)
            if segment == "T":
                if pending_t is not None:
                    raise pending_t.error("segment T is not followed by its segment U")
                pending_t = line
            elif segment == "U":
                if pending_t is None:
                    raise line.error("segment U without a segment T before it")
                yield _record(bank, pending_t, line, bb_convenio)
                pending_t = None
            elif segment in OPTIONAL_SEGMENTS:
                if pending_t is not None:
                    raise pending_t.error("segment T is not followed by its segment U")
            else:
                raise line.error(
                    f"unknown segment {segment!r} ({SEGMENT.where}); a CNAB 240 return has segments T and U",
                    SEGMENT,
                )
        elif kind == "5":
            if lot is None:
                raise line.error("lot trailer without a lot header")
            if pending_t is not None:
                raise pending_t.error("segment T is not followed by its segment U")
            declared = line.integer(LT_RECORDS)
            if declared != lot_records:
                raise line.error(
                    f"{LT_RECORDS.name} ({LT_RECORDS.where}) says {declared}, the lot has {lot_records}",
                    LT_RECORDS,
                )
            lot = None
        elif kind == "9":
            if lot is not None:
                raise line.error(f"file trailer while lot {lot} is still open (its trailer is missing)")
            declared_lots = line.integer(FT_LOTS)
            if declared_lots != lots:
                raise line.error(
                    f"{FT_LOTS.name} ({FT_LOTS.where}) says {declared_lots}, the file has {lots}", FT_LOTS
                )
            declared_records = line.integer(FT_RECORDS)
            actual = line.number - header.number + 1
            if declared_records != actual:
                raise line.error(
                    f"{FT_RECORDS.name} ({FT_RECORDS.where}) says {declared_records}, the file has {actual}",
                    FT_RECORDS,
                )
            trailer = line
        elif kind == "0":
            raise line.error("a second file header (record type 0)", RECORD_TYPE)
        else:
            raise line.error(
                f"unknown record type {kind!r} ({RECORD_TYPE.where}); expected 1, 3, 5 or 9", RECORD_TYPE
            )

    if pending_t is not None:
        raise pending_t.error("segment T is not followed by its segment U: the file is truncated")
    if trailer is None:
        raise last.error("the file ends without its trailer (record type 9): the file is truncated")
