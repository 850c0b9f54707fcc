"""Synthetic return files, for tests and benchmarks: ``parse_return`` reads them back identically.

The builders write the same positions the parser reads (the ``Field`` constants of ``cnab240`` and
``cnab400``) and fill the rest of each record as the manuals describe (zeros in numeric fields,
blanks in text fields), with the trailer totals the parser checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import cnab240 as c240
from . import cnab400 as c400
from .common import BANK_NAMES, ZERO, Field

_LINE_ENDINGS = ("\r\n", "\n", "\r")


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticRecord:
    """One title to write into a synthetic return file.

    ``nosso_numero`` is written as the bank writes it (see ``nosso_numero_for``): CNAB 240 Sicoob
    10 digits (9 + DV); Caixa 17 (modalidade + 15) at 40-56; Itaú 12 (carteira + 8 + DAC); Sicredi
    9 (YYBNNNNN + DV); other CNAB 240 banks up to 20 characters (Banco do Brasil: 17 digits, or 11
    + DV); Itaú CNAB 400 8 digits; Bradesco CNAB 400 12 (11 + DV); Banco do Brasil CNAB 400 17
    digits (convênio of 7 digits) or 12 (11 + DV, convênio of 6 digits).
    """

    nosso_numero: str
    occurrence_code: str = "06"
    face_value: Decimal = ZERO
    paid_amount: Decimal = ZERO
    net_amount: Decimal | None = None  # CNAB 240 and BB 400; defaults to paid amount minus fee
    interest: Decimal = ZERO
    discount: Decimal = ZERO
    abatement: Decimal = ZERO
    iof: Decimal = ZERO
    bank_fee: Decimal = ZERO
    other_expenses: Decimal = ZERO  # not in Itaú CNAB 400
    other_credits: Decimal = ZERO
    due_date: date | None = None
    occurrence_date: date | None = None
    credit_date: date | None = None
    document_number: str = ""
    company_use: str = ""
    payer_name: str = ""  # CNAB 240 and Itaú CNAB 400 only
    wallet: str = ""  # default per bank
    collecting_bank: str = ""  # default: the file's bank
    reasons: tuple[str, ...] = ()  # up to 5 in CNAB 240, 4 Itaú, 5 Bradesco, 1 Banco do Brasil


class _Record:
    """A record being written: a mutable buffer of ``length`` positions."""

    def __init__(self, length: int, fill: str = " "):
        self.buffer = [fill] * length

    def put(self, fld: Field, value: str) -> None:
        if len(value) != fld.width:
            raise ValueError(f"{fld.name}: {value!r} does not have {fld.width} positions")
        self.buffer[fld.start - 1 : fld.end] = list(value)

    def text(self, fld: Field, value: str) -> None:
        value = value or ""
        if len(value) > fld.width:
            raise ValueError(f"{fld.name}: {value!r} is longer than {fld.width} positions")
        self.put(fld, value.ljust(fld.width))

    def number(self, fld: Field, value: int | str) -> None:
        value = str(value)
        if not value.isdigit() or len(value) > fld.width:
            raise ValueError(f"{fld.name}: {value!r} is not a number of up to {fld.width} digits")
        self.put(fld, value.zfill(fld.width))

    def amount(self, fld: Field, value: Decimal) -> None:
        cents = Decimal(value) * 100
        if cents != cents.to_integral_value() or cents < 0:
            raise ValueError(f"{fld.name}: {value} is not a non-negative amount with 2 decimal places")
        self.number(fld, int(cents))

    def date(self, fld: Field, value: date | None) -> None:
        if value is None:
            self.put(fld, "0" * fld.width)
        elif fld.width == 8:
            self.put(fld, value.strftime("%d%m%Y"))
        else:
            if not 1970 <= value.year <= 2069:
                raise ValueError(f"{fld.name}: {value} cannot be written with a two-digit year")
            self.put(fld, value.strftime("%d%m%y"))

    def zeros(self, start: int, end: int) -> None:
        self.buffer[start - 1 : end] = ["0"] * (end - start + 1)

    def __str__(self) -> str:
        return "".join(self.buffer)


def _at(name: str, start: int, end: int) -> Field:
    return Field(name, start, end)


def _encode(lines: list[str], line_ending: str) -> bytes:
    if line_ending not in _LINE_ENDINGS:
        raise ValueError(f"line_ending must be one of {_LINE_ENDINGS!r}")
    return (line_ending.join(lines) + line_ending).encode("latin-1")


def _reasons(record: _Record, fld: Field, reasons: tuple[str, ...]) -> None:
    record.text(fld, "".join(reasons))


# -- nosso número -----------------------------------------------------------------------------------


def _mod11_bradesco(wallet: str, number: str) -> str:
    weights = (2, 3, 4, 5, 6, 7)
    total = sum(int(d) * weights[i % 6] for i, d in enumerate(reversed(wallet + number)))
    rest = total % 11
    return "0" if rest == 0 else "P" if rest == 1 else str(11 - rest)


def _mod10(digits: str) -> str:
    total = 0
    for i, d in enumerate(reversed(digits)):
        product = int(d) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def _mod11_bb(digits: str) -> str:
    weights = (9, 8, 7, 6, 5, 4, 3, 2)
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(reversed(digits)))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def _mod11_sicredi(digits: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9)
    rest = sum(int(d) * weights[i % 8] for i, d in enumerate(reversed(digits))) % 11
    dv = 11 - rest
    return "0" if dv > 9 else str(dv)


def _mod11_sicoob(agency: str, client: str, number: str) -> str:
    weights = (3, 1, 9, 7)
    digits = agency.zfill(4)[-4:] + client.zfill(10)[-10:] + number.zfill(7)[-7:]
    rest = sum(int(d) * weights[i % 4] for i, d in enumerate(digits)) % 11
    return "0" if rest in (0, 1) else str(11 - rest)


def nosso_numero_for(
    layout: str,
    bank_code: str,
    number: int,
    *,
    convenio: str = "",
    wallet: str = "",
    agency: str = "",
    account: str = "",
) -> str:
    """The nosso número field as ``bank_code`` writes it for the sequence ``number``, check digit
    included where the bank writes one; ``parse_return`` gives ``str(number)`` back as
    ``nosso_numero_normalized``. Check digits follow the banks' boleto rules (they are not checked
    when reading)."""
    n = str(number)
    if not n.isdigit() or number <= 0:
        raise ValueError("number must be a positive integer")
    agency = "".join(c for c in agency if c.isdigit())  # Sicredi's "cooperativa.posto"
    if layout == "240" and bank_code == "756":  # 9 digits + DV (mod 11, weights 3197)
        body = n.zfill(9)
        return body + _mod11_sicoob(agency or "0", account or "0", n.zfill(7)[-7:])
    if bank_code == "001":
        convenio = convenio or "1234567"
        if len(convenio) == 7:  # convênio + 10-digit sequence, no DV
            return convenio + n.zfill(10)
        body = convenio.zfill(6) + n.zfill(5)  # convênio of 6 digits + 5-digit sequence + DV
        return body + _mod11_bb(body)
    if layout == "400" and bank_code == "237":  # 11 digits + DV (mod 11 base 7 with the wallet)
        body = n.zfill(11)
        return body + _mod11_bradesco((wallet or "09")[-2:].zfill(2), body)
    if layout == "400" and bank_code == "341":  # 8 digits; the DAC is written apart
        return n.zfill(8)
    if bank_code == "104":  # Caixa SIGCB: modalidade 14 (registrada) + 15 digits, no DV
        return "14" + n.zfill(15)
    if bank_code == "341":  # Itaú 240: carteira + 8 digits + DAC (mod 10 over agency, account, ...)
        body = (wallet or "109").zfill(3) + n.zfill(8)
        return body + _mod10((agency or "0").zfill(4)[-4:] + (account or "0").zfill(5)[-5:] + body)
    if bank_code == "748":  # Sicredi: YYBNNNNN + DV (mod 11 over cooperativa, posto, code, number)
        body = n.zfill(8)
        return body + _mod11_sicredi((agency or "0").zfill(6)[-6:] + (convenio or "0").zfill(5) + body)
    return n.zfill(10)


# -- CNAB 240 -----------------------------------------------------------------------------------------


def build_cnab240(
    bank_code: str,
    records: Iterable[SyntheticRecord],
    *,
    company_name: str = "EMPRESA DE TESTE LTDA",
    company_document: str = "11222333000181",
    agency: str = "1234",
    agency_dv: str = "0",
    account: str = "56789",
    account_dv: str = "0",
    convenio: str = "",
    file_sequence: int = 1,
    generation_date: date | None = None,
    line_ending: str = "\r\n",
) -> bytes:
    """A CNAB 240 return file of ``bank_code`` with one lot of T+U pairs, one pair per record."""
    if not (len(bank_code) == 3 and bank_code.isdigit()):
        raise ValueError("bank_code must have 3 digits")
    lines: list[str] = []

    header = _Record(240)
    header.number(c240.BANK, bank_code)
    header.number(c240.LOT, 0)
    header.number(c240.RECORD_TYPE, 0)
    header.number(_at("company document type", 18, 18), 2 if len(company_document) > 11 else 1)
    header.number(c240.H_DOCUMENT, company_document)
    if bank_code == "001" and convenio:  # BB: convênio in 9 digits, then its own codes
        header.number(c240.H_CONVENIO_BB, convenio)
    else:
        header.text(c240.H_CONVENIO, convenio)
    header.number(c240.H_AGENCY, agency)
    header.text(c240.H_AGENCY_DV, agency_dv)
    header.number(c240.H_ACCOUNT, account)
    header.text(c240.H_ACCOUNT_DV, account_dv)
    header.text(c240.H_COMPANY, company_name)
    header.text(c240.H_BANK_NAME, BANK_NAMES.get(bank_code, "").upper()[:30])
    header.number(_at("remittance/return code", 143, 143), 2)
    header.date(c240.H_GENERATED, generation_date)
    header.zeros(152, 157)  # generation time
    header.number(c240.H_SEQUENCE, file_sequence)
    header.number(_at("layout version", 164, 166), 87)
    header.zeros(167, 171)  # density
    lines.append(str(header))

    lot_header = _Record(240)
    lot_header.number(c240.BANK, bank_code)
    lot_header.number(c240.LOT, 1)
    lot_header.number(c240.RECORD_TYPE, 1)
    lot_header.text(c240.LH_OPERATION, "T")
    lot_header.number(c240.LH_SERVICE, 1)
    lot_header.zeros(12, 13)
    lot_header.number(_at("lot layout version", 14, 16), 45)
    lot_header.number(_at("company document type", 18, 18), 2 if len(company_document) > 11 else 1)
    lot_header.number(_at("company document", 19, 33), company_document)
    lot_header.text(_at("convênio", 34, 53), convenio)
    lot_header.number(_at("agency", 54, 58), agency)
    lot_header.text(_at("agency check digit", 59, 59), agency_dv)
    lot_header.number(_at("account", 60, 71), account)
    lot_header.text(_at("account check digit", 72, 72), account_dv)
    lot_header.text(_at("company name", 74, 103), company_name)
    lot_header.number(_at("return number", 184, 191), file_sequence)
    lot_header.date(_at("recording date", 192, 199), generation_date)
    lot_header.zeros(200, 207)  # credit date
    lines.append(str(lot_header))

    count = 0
    total = ZERO
    for record in records:
        sequence = 2 * count + 1
        count += 1
        total += record.face_value
        t = _Record(240)
        t.number(c240.BANK, bank_code)
        t.number(c240.LOT, 1)
        t.number(c240.RECORD_TYPE, 3)
        t.number(c240.SEQUENCE, sequence)
        t.text(c240.SEGMENT, "T")
        t.number(c240.T_OCCURRENCE, record.occurrence_code)
        t.number(_at("agency", 18, 22), agency)
        t.text(_at("agency check digit", 23, 23), agency_dv)
        t.number(_at("account", 24, 35), account)
        t.text(_at("account check digit", 36, 36), account_dv)
        if bank_code == "756":
            t.number(c240.T_NOSSO_NUMERO_SICOOB, record.nosso_numero)
            t.put(_at("parcela, modalidade, form", 48, 52), "01011")
        elif bank_code == "104":
            t.text(c240.T_NOSSO_NUMERO_CAIXA, record.nosso_numero)
        elif bank_code == "341":
            t.text(c240.T_NOSSO_NUMERO_ITAU, record.nosso_numero)
        else:
            t.text(c240.T_NOSSO_NUMERO, record.nosso_numero)
        t.text(c240.T_WALLET, record.wallet or "1")
        t.text(c240.T_DOCUMENT, record.document_number)
        t.date(c240.T_DUE, record.due_date)
        t.amount(c240.T_FACE, record.face_value)
        t.number(c240.T_COLLECTING_BANK, record.collecting_bank or bank_code)
        t.zeros(100, 105)  # collecting agency and its check digit
        t.text(c240.T_COMPANY_USE, record.company_use)
        t.number(_at("currency", 131, 132), 9)
        t.zeros(133, 148)  # payer document type and number
        t.text(c240.T_PAYER_NAME, record.payer_name)
        t.zeros(189, 198)  # credit operation contract
        t.amount(c240.T_FEE, record.bank_fee)
        _reasons(t, c240.T_REASONS, record.reasons)
        lines.append(str(t))

        u = _Record(240)
        u.number(c240.BANK, bank_code)
        u.number(c240.LOT, 1)
        u.number(c240.RECORD_TYPE, 3)
        u.number(c240.SEQUENCE, sequence + 1)
        u.text(c240.SEGMENT, "U")
        u.number(c240.U_OCCURRENCE, record.occurrence_code)
        u.amount(c240.U_INTEREST, record.interest)
        u.amount(c240.U_DISCOUNT, record.discount)
        u.amount(c240.U_ABATEMENT, record.abatement)
        u.amount(c240.U_IOF, record.iof)
        u.amount(c240.U_PAID, record.paid_amount)
        net = (
            record.net_amount
            if record.net_amount is not None
            else max(record.paid_amount - record.bank_fee, ZERO)
        )
        u.amount(c240.U_NET, net)
        u.amount(c240.U_OTHER_EXPENSES, record.other_expenses)
        u.amount(c240.U_OTHER_CREDITS, record.other_credits)
        u.date(c240.U_OCCURRENCE_DATE, record.occurrence_date)
        u.date(c240.U_CREDIT_DATE, record.credit_date)
        u.zeros(158, 180)  # payer occurrence date and value
        u.zeros(211, 213)  # correspondent bank
        lines.append(str(u))

    lot_trailer = _Record(240)
    lot_trailer.number(c240.BANK, bank_code)
    lot_trailer.number(c240.LOT, 1)
    lot_trailer.number(c240.RECORD_TYPE, 5)
    lot_trailer.number(c240.LT_RECORDS, 2 * count + 2)
    lot_trailer.number(_at("titles in simple collection", 24, 29), count)
    lot_trailer.amount(_at("total of simple collection", 30, 46), total)
    lot_trailer.zeros(47, 115)  # other collection types
    lines.append(str(lot_trailer))

    trailer = _Record(240)
    trailer.number(c240.BANK, bank_code)
    trailer.number(c240.LOT, 9999)
    trailer.number(c240.RECORD_TYPE, 9)
    trailer.number(c240.FT_LOTS, 1)
    trailer.number(c240.FT_RECORDS, len(lines) + 1)
    trailer.zeros(30, 35)
    lines.append(str(trailer))
    return _encode(lines, line_ending)


# -- CNAB 400 -----------------------------------------------------------------------------------------

_BANK_LITERALS_400 = {"341": "BANCO ITAU S.A.", "237": "BRADESCO", "001": "BANCODOBRASIL"}


def _header_400(bank_code: str, company_name: str, generation_date: date | None) -> _Record:
    header = _Record(400)
    header.put(_at("header", 1, 19), "02RETORNO01COBRANCA")
    header.text(c400.H_COMPANY, company_name)
    header.number(c400.H_BANK, bank_code)
    header.text(c400.H_BANK_NAME, _BANK_LITERALS_400[bank_code])
    header.date(c400.H_GENERATED, generation_date)
    header.number(c400.SEQUENCE, 1)
    return header


def _common_400(d: _Record, bank_code: str, record: SyntheticRecord) -> None:
    d.number(c400.D_OCCURRENCE, record.occurrence_code)
    d.date(c400.D_OCCURRENCE_DATE, record.occurrence_date)
    d.text(c400.D_DOCUMENT, record.document_number)
    d.date(c400.D_DUE, record.due_date)
    d.amount(c400.D_FACE, record.face_value)
    d.number(c400.D_COLLECTING_BANK, record.collecting_bank or bank_code)
    d.amount(c400.D_IOF, record.iof)
    d.amount(c400.D_ABATEMENT, record.abatement)
    d.amount(c400.D_DISCOUNT, record.discount)
    d.amount(c400.D_PAID, record.paid_amount)
    d.amount(c400.D_INTEREST, record.interest)
    d.amount(c400.D_OTHER_CREDITS, record.other_credits)


def build_cnab400(
    bank_code: str,
    records: Iterable[SyntheticRecord],
    *,
    company_name: str = "EMPRESA DE TESTE LTDA",
    company_document: str = "11222333000181",
    agency: str = "1234",
    agency_dv: str = "0",
    account: str = "56789",
    account_dv: str = "0",
    convenio: str = "",
    company_code: str = "",
    file_sequence: int = 1,
    generation_date: date | None = None,
    line_ending: str = "\r\n",
) -> bytes:
    """A CNAB 400 return file of Itaú (341), Bradesco (237) or Banco do Brasil (001).

    Banco do Brasil: ``convenio`` of 7 digits writes detail records of type 7 (the default,
    ``1234567``), of 6 digits type 1. Bradesco: ``company_code`` is the header's "código da
    empresa" (20 digits at most).
    """
    if bank_code not in c400.SUPPORTED_BANKS:
        raise ValueError(f"CNAB 400 is supported for banks {', '.join(c400.SUPPORTED_BANKS)}")
    document_type = 2 if len(company_document) > 11 else 1
    header = _header_400(bank_code, company_name, generation_date)
    if bank_code == "341":
        header.number(c400.H_ITAU_AGENCY, agency)
        header.zeros(31, 32)
        header.number(c400.H_ITAU_ACCOUNT, account)
        header.text(c400.H_ITAU_ACCOUNT_DV, account_dv)
        header.put(_at("density", 101, 108), "01600BPI")
        header.number(c400.H_ITAU_SEQUENCE, file_sequence)
        header.zeros(114, 119)  # credit date
    elif bank_code == "237":
        if company_code:
            header.number(c400.H_BRADESCO_COMPANY_CODE, company_code)
        header.put(_at("density", 101, 108), "01600000")
        header.number(_at("bank notice number", 109, 113), file_sequence)
        header.zeros(380, 385)  # credit date
    else:
        convenio = convenio or "1234567"
        header.number(c400.H_BB_AGENCY, agency)
        header.text(c400.H_BB_AGENCY_DV, agency_dv)
        header.number(c400.H_BB_ACCOUNT, account)
        header.text(c400.H_BB_ACCOUNT_DV, account_dv)
        if len(convenio) == 7:
            header.zeros(41, 46)
            header.number(c400.H_BB_CONVENIO_7, convenio)
        else:
            header.number(c400.H_BB_CONVENIO_6, convenio)
        header.number(c400.H_BB_SEQUENCE, file_sequence)
    lines = [str(header)]

    written: list[SyntheticRecord] = []
    for record in records:
        d = _Record(400)
        if bank_code == "341":
            wallet = record.wallet or "109"
            d.text(c400.RECORD_TYPE, "1")
            d.number(_at("company document type", 2, 3), document_type)
            d.number(_at("company document", 4, 17), company_document)
            d.number(_at("agency", 18, 21), agency)
            d.zeros(22, 23)
            d.number(_at("account", 24, 28), account)
            d.text(_at("account check digit", 29, 29), account_dv)
            d.zeros(34, 37)  # cancelled instruction
            d.text(c400.ITAU_COMPANY_USE, record.company_use)
            d.number(c400.ITAU_NOSSO_NUMERO, record.nosso_numero)
            d.number(c400.ITAU_WALLET, wallet)
            d.number(_at("nosso número (again)", 86, 93), record.nosso_numero)
            d.put(
                c400.ITAU_DAC,
                _mod10(agency.zfill(4) + account.zfill(5) + wallet + record.nosso_numero.zfill(8)),
            )
            d.text(_at("wallet code", 108, 108), "I")
            d.number(_at("nosso número (confirmation)", 127, 134), record.nosso_numero)
            _common_400(d, bank_code, record)
            d.number(_at("collecting agency", 169, 173), 0)
            d.amount(c400.ITAU_FEE, record.bank_fee)
            d.date(c400.ITAU_CREDIT_DATE, record.credit_date)
            d.zeros(302, 305)  # cancelled instruction code
            d.zeros(312, 324)
            d.text(c400.ITAU_PAYER_NAME, record.payer_name)
            _reasons(d, c400.ITAU_REASONS, record.reasons)
        elif bank_code == "237":
            wallet = record.wallet or "009"
            d.text(c400.RECORD_TYPE, "1")
            d.number(_at("company document type", 2, 3), document_type)
            d.number(_at("company document", 4, 17), company_document)
            d.zeros(18, 21)
            d.number(c400.BRADESCO_WALLET, wallet)
            d.number(_at("agency", 25, 29), agency)
            d.number(_at("account", 30, 36), account)
            d.text(_at("account check digit", 37, 37), account_dv)
            d.text(c400.BRADESCO_COMPANY_USE, record.company_use)
            d.zeros(63, 70)
            d.put(c400.BRADESCO_NOSSO_NUMERO, record.nosso_numero)
            d.zeros(83, 107)
            d.text(_at("wallet (last digit)", 108, 108), wallet[-1])
            d.text(_at("nosso número (again)", 127, 146), record.nosso_numero.rjust(20, "0"))
            _common_400(d, bank_code, record)
            d.number(_at("collecting agency", 169, 173), 0)
            d.amount(c400.BRADESCO_FEE, record.bank_fee)
            d.amount(c400.BRADESCO_OTHER_EXPENSES, record.other_expenses)
            d.zeros(202, 214)  # interest on overdue operation
            _reasons(d, c400.BRADESCO_REASONS, record.reasons)
            d.date(c400.BRADESCO_CREDIT_DATE, record.credit_date)
        else:
            type_7 = len(convenio) == 7
            d.text(c400.RECORD_TYPE, "7" if type_7 else "1")
            d.number(_at("company document type", 2, 3), document_type)
            d.number(_at("company document", 4, 17), company_document)
            d.number(_at("agency", 18, 21), agency)
            d.text(_at("agency check digit", 22, 22), agency_dv)
            d.number(_at("account", 23, 30), account)
            d.text(_at("account check digit", 31, 31), account_dv)
            if type_7:
                d.number(c400.BB7_CONVENIO, convenio)
                d.text(c400.BB7_COMPANY_USE, record.company_use)
                d.number(c400.BB7_NOSSO_NUMERO, record.nosso_numero)
                d.zeros(81, 86)
                _reasons(d, c400.BB7_REASONS, record.reasons)
            else:
                d.number(c400.BB1_CONVENIO, convenio)
                d.text(c400.BB1_COMPANY_USE, record.company_use)
                d.put(c400.BB1_NOSSO_NUMERO, record.nosso_numero)
                _reasons(d, c400.BB1_REASONS, record.reasons)
            d.number(_at("wallet variation", 92, 94), 19)
            d.number(c400.BB_WALLET, record.wallet or "17")
            _common_400(d, bank_code, record)
            d.number(_at("collecting agency", 169, 173), 0)
            d.date(c400.BB_CREDIT_DATE, record.credit_date)
            d.amount(c400.BB_FEE, record.bank_fee)
            d.amount(c400.BB_OTHER_EXPENSES, record.other_expenses)
            d.zeros(202, 214)
            d.zeros(293, 305)
            net = (
                record.net_amount
                if record.net_amount is not None
                else max(record.paid_amount - record.bank_fee, ZERO)
            )
            d.amount(c400.BB_NET, net)
        d.number(c400.SEQUENCE, len(lines) + 1)
        lines.append(str(d))
        written.append(record)

    trailer = _Record(400)
    trailer.put(_at("trailer", 1, 4), "9201")
    trailer.number(_at("bank code", 5, 7), bank_code)
    trailer.zeros(18, 47)  # titles, total and notice of simple collection
    if bank_code == "341":
        trailer.number(_at("file sequence number", 208, 212), file_sequence)
        trailer.number(c400.ITAU_T_COUNT, len(written))
        trailer.amount(c400.ITAU_T_TOTAL, sum((r.face_value for r in written), ZERO))
    elif bank_code == "237":
        trailer.zeros(58, 188)
        for fld, codes in c400.BRADESCO_T_COUNTS:
            trailer.number(fld, sum(1 for r in written if r.occurrence_code in codes))
    trailer.number(c400.SEQUENCE, len(lines) + 1)
    lines.append(str(trailer))
    return _encode(lines, line_ending)
