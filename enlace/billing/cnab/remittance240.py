"""CNAB 240 remittance, service 01 "cobrança" (FEBRABAN "Layout Padrão CNAB 240" V10.x): file
header, one lot (lot header, P + Q + R per title, lot trailer), file trailer.

The FEBRABAN positions are the constants below; what a bank does differently is in the small
per-bank tables (``_LAYOUT_VERSION``) and in ``_account_fields`` / ``_nosso_numero_fields``.
Positions are 1-based and inclusive, as in the manuals. docs/cnab.md, "Remittance files".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from .common import BANK_NAMES
from .remittance import (
    Prototypes,
    Record,
    RemittanceError,
    RemittanceHeader,
    RemittanceTitle,
    at,
    bank_number,
    document_type,
    encode,
    movement_code,
    only_digits,
)

# Layout versions written in the file header (164-166) and the lot header (14-16), per bank's
# manual: BB "Layout CNAB 240 Cobrança" (083/042), Caixa SIGCB (101/060), Itaú "Cobrança CNAB 240"
# (040/030), Bradesco "Cobrança 240" (084/042), Sicoob (081/040), Sicredi (081/040).
_LAYOUT_VERSION = {
    "001": ("083", "042"),
    "104": ("101", "060"),
    "237": ("084", "042"),
    "341": ("040", "030"),
    "748": ("081", "040"),
    "756": ("081", "040"),
}

# FEBRABAN note C015 "espécie do título": 02 duplicata mercantil, 04 duplicata de serviço, 99 outros.
_SPECIES = {"DM": "02", "DS": "04", "OU": "99"}


def _common(record: Record, bank: str, lot: int, kind: int) -> None:
    record.number(at("bank", 1, 3), bank)
    record.number(at("lot", 4, 7), lot)
    record.number(at("record type", 8, 8), kind)


def _account_fields(record: Record, h: RemittanceHeader, start: int) -> None:
    """Agency, account and their check digits: positions 53-72 of the file header (``start`` 53),
    54-73 of the lot header (54) and 18-37 of segment P (18)."""
    s = start
    if h.bank == "341":  # Itaú: 0 + agency(4) + blank + zeros(7) + account(5) + blank + DAC
        record.zeros(s, s)
        record.number(at("agency", s + 1, s + 4), h.agency)
        record.zeros(s + 6, s + 12)
        record.number(at("account", s + 13, s + 17), h.account)
        record.text(at("account DAC", s + 19, s + 19), h.account_dv)
        return
    record.number(at("agency", s, s + 4), h.agency)
    record.text(at("agency check digit", s + 5, s + 5), h.agency_dv)
    if h.bank == "104":  # Caixa: código do beneficiário(6), then zeros
        record.number(at("beneficiary code", s + 6, s + 11), h.convenio)
        record.zeros(s + 12, s + 19)
        return
    record.number(at("account", s + 6, s + 17), h.account)
    record.text(at("account check digit", s + 18, s + 18), h.account_dv)


def _convenio_fields(record: Record, h: RemittanceHeader, start: int) -> None:
    """The 20 positions before the agency: 33-52 of the file header, 34-53 of the lot header."""
    s = start
    if h.bank == "001":  # convênio(9) + "0014" (cobrança) + carteira(2) + variação(3) + 2 blanks
        record.number(at("convênio", s, s + 8), h.convenio)
        record.put(at("BB product", s + 9, s + 12), "0014")
        record.number(at("carteira", s + 13, s + 14), h.carteira)
        record.number(at("carteira variation", s + 15, s + 17), h.variation or "0")
    elif h.bank == "104":  # file header: zeros; lot header: código do beneficiário(6) + zeros
        record.zeros(s, s + 19)
        if s == 34:
            record.number(at("beneficiary code", 34, 39), h.convenio)
    elif h.bank == "341":
        pass  # Itaú: blanks
    elif h.bank == "237":  # Bradesco: código da empresa, 20 digits
        record.number(at("company code", s, s + 19), only_digits(h.convenio) or "0")
    elif h.bank in ("748", "756"):  # Sicredi, Sicoob: código do beneficiário, left-aligned text
        record.text(at("beneficiary code", s, s + 19), h.convenio)


def _nosso_numero_fields(record: Record, h: RemittanceHeader, t: RemittanceTitle) -> None:
    """Positions 38-57 of segment P: the nosso número as each bank reads it."""
    n = bank_number(h, t)
    if h.bank == "341":  # carteira(3) + number(8) + DAC(1) + blanks(8)
        record.number(at("carteira", 38, 40), h.carteira)
        record.number(at("nosso número", 41, 48), n.number)
        record.number(at("nosso número DAC", 49, 49), n.dv)
    elif h.bank == "104":  # zeros(3) + modalidade and number: 17 digits ("14" + 15), no DV
        record.zeros(38, 40)
        record.number(at("nosso número", 41, 57), n.number)
    elif h.bank == "237":  # produto/carteira(3) + zeros(5) + number(11) + DV
        record.number(at("carteira", 38, 40), h.carteira)
        record.zeros(41, 45)
        record.number(at("nosso número", 46, 56), n.number)
        record.text(at("nosso número DV", 57, 57), n.dv)
    elif h.bank == "756":  # number + DV (10), parcela(2), modalidade(2), form(1), blanks(5)
        record.number(at("nosso número", 38, 47), n.number + n.dv)
        record.put(at("parcela", 48, 49), "01")
        record.number(at("modalidade", 50, 51), h.modalidade)
        record.put(at("form", 52, 52), "4")  # A4 sheet without envelope (printed by the ISP)
    else:  # BB (17 digits, or 11 + DV), Sicredi (YY + byte + sequence(5) + DV): left-aligned
        record.text(at("nosso número", 38, 57), n.number + n.dv)


def _fixed(h: RemittanceHeader, t: RemittanceTitle, index: int) -> tuple[Record, Record, Record]:
    """Segments P, Q and R with what depends on the wallet and the title's shape only
    (``remittance.SHAPE``: movement and instructions); ``_title`` writes the rest."""
    code = movement_code(h, t, index)
    p, q, r = Record(240), Record(240), Record(240)
    for record, segment in ((p, "P"), (q, "Q"), (r, "R")):
        _common(record, h.bank, 1, 3)
        record.put(at("segment", 14, 14), segment)
        record.number(at("movement", 16, 17), code)

    _account_fields(p, h, 18)
    # 58 carteira (1 cobrança simples), 59 registration form (1 com cadastramento), 60 document
    # type (1 tradicional; Caixa and Sicoob leave it blank/2), 61 who issues the boleto (2 the
    # beneficiary), 62 who delivers it (2 the beneficiary).
    p.put(at("carteira code", 58, 58), "1")
    p.put(at("registration", 59, 59), "1")
    p.put(at("document type", 60, 60), "2" if h.bank == "104" else "1")
    p.put(at("boleto issued by", 61, 61), "2")
    p.put(at("boleto delivered by", 62, 62), "2" if h.bank != "104" else "0")
    p.zeros(101, 105)  # agência cobradora: the bank chooses
    p.put(at("collecting agency DV", 106, 106), "0" if h.bank in ("104", "341") else " ")
    if t.species not in _SPECIES:
        raise RemittanceError(f"unknown species {t.species!r}", field="species", title=index)
    p.number(at("species", 107, 108), _SPECIES[t.species])
    p.put(at("accept", 109, 109), "A" if t.accept else "N")
    # Interest (C018): 1 valor por dia, 2 taxa mensal, 3 isento; from the day after the due date
    # (the date is the title's: ``_title``).
    if t.interest_per_day:
        p.put(at("interest code", 118, 118), "1")
        p.amount(at("interest", 127, 141), t.interest_per_day)
    elif t.interest_rate:
        p.put(at("interest code", 118, 118), "2")
        p.amount(at("interest", 127, 141), t.interest_rate)
    else:
        p.put(at("interest code", 118, 118), "3")
        p.zeros(119, 141)
    p.zeros(166, 180)  # IOF
    # Protest (C026): 1 protestar dias corridos, 3 não protestar; write-off (C028): 1 baixar.
    if t.protest_days:
        p.put(at("protest code", 221, 221), "1")
        p.number(at("protest days", 222, 223), t.protest_days)
    else:
        p.put(at("protest code", 221, 221), "3")
        p.zeros(222, 223)
    if h.bank == "341":  # Itaú: write-off days 225-226 (2), no currency code
        p.put(at("write-off code", 224, 224), "0")
        p.number(at("write-off days", 225, 226), t.write_off_days)
        p.zeros(227, 239)
    else:
        p.put(at("write-off code", 224, 224), "1" if t.write_off_days else "2")
        p.number(at("write-off days", 225, 227), t.write_off_days)
        p.put(at("currency", 228, 229), "09")  # real
        p.zeros(230, 239)  # credit operation contract

    q.zeros(154, 169)  # no guarantor ("sacador/avalista")
    q.zeros(210, 212)  # correspondent bank

    r.zeros(18, 65)  # second and third discounts
    # Fine (C044 of R): 0 sem multa, 2 percentual; from the day after the due date (``_title``).
    if t.fine_rate:
        r.put(at("fine code", 66, 66), "2")
        r.amount(at("fine", 75, 89), t.fine_rate)
    else:
        r.put(at("fine code", 66, 66), "0")
        r.zeros(67, 89)
    r.zeros(200, 231)  # payer occurrence code and automatic debit account: none
    return p, q, r


_RECORD_NUMBER = at("record number", 9, 13)
_DUE, _AMOUNT, _ISSUED = at("due date", 78, 85), at("amount", 86, 100), at("issue date", 110, 117)
_INTEREST_DATE, _FINE_DATE = at("interest date", 119, 126), at("fine date", 67, 74)
_DISCOUNT_CODE, _DISCOUNT_DATE = at("discount code", 142, 142), at("discount date", 143, 150)
_DISCOUNT, _ABATEMENT = at("discount", 151, 165), at("abatement", 181, 195)
_COMPANY_USE, _PAYER_TYPE = at("company use", 196, 220), at("payer document type", 18, 18)
_PAYER_DOCUMENT, _PAYER_ADDRESS = at("payer document", 19, 33), at("payer address", 74, 113)
_PAYER_DISTRICT, _PAYER_CEP = at("payer neighbourhood", 114, 128), at("payer CEP", 129, 136)
_PAYER_CITY, _PAYER_UF = at("payer city", 137, 151), at("payer UF", 152, 153)


def _title(
    h: RemittanceHeader, t: RemittanceTitle, index: int, sequence: int, p: Record, q: Record, r: Record
) -> None:
    """The title's own values on the copies of its shape's segments (``_fixed``), numbered from
    ``sequence`` (P; Q and R follow)."""
    p.number(_RECORD_NUMBER, sequence)
    q.number(_RECORD_NUMBER, sequence + 1)
    r.number(_RECORD_NUMBER, sequence + 2)

    _nosso_numero_fields(p, h, t)
    if h.bank == "341":  # Itaú: "seu número" 63-72, blanks 73-77
        p.text(at("document number", 63, 72), t.document_number)
    elif h.bank == "104":  # Caixa: 63-73, blanks 74-77
        p.text(at("document number", 63, 73), t.document_number)
    else:
        p.text(at("document number", 63, 77), t.document_number)
    p.date(_DUE, t.due_date)
    p.amount(_AMOUNT, t.amount)
    p.date(_ISSUED, t.issue_date)
    day_after = t.due_date + timedelta(days=1)
    if t.interest_per_day or t.interest_rate:
        p.date(_INTEREST_DATE, day_after)
    # Discount (C021): 1 valor fixo até a data informada, 0 sem desconto.
    if t.discount:
        p.put(_DISCOUNT_CODE, "1")
        p.date(_DISCOUNT_DATE, t.discount_until or t.due_date)
        p.amount(_DISCOUNT, t.discount)
    else:
        p.zeros(142, 165)
    p.amount(_ABATEMENT, t.abatement)
    p.text(_COMPANY_USE, t.company_use)

    document = only_digits(t.payer_document)
    try:
        q.put(_PAYER_TYPE, document_type(document))
    except RemittanceError as error:
        raise RemittanceError(
            f"payer document: {error.message}", field="payer_document", title=index
        ) from None
    q.number(_PAYER_DOCUMENT, document)
    q.text(at("payer name", 34, 63 if h.bank == "341" else 73), t.payer_name)
    q.text(_PAYER_ADDRESS, t.payer_address)
    q.text(_PAYER_DISTRICT, t.payer_neighbourhood)
    cep = only_digits(t.payer_cep)
    if len(cep) != 8:
        raise RemittanceError(f"payer CEP {t.payer_cep!r} must have 8 digits", field="payer_cep", title=index)
    q.number(_PAYER_CEP, cep)
    q.text(_PAYER_CITY, t.payer_city)
    q.text(_PAYER_UF, t.payer_uf)

    if t.fine_rate:
        r.date(_FINE_DATE, day_after)


def build_remittance240(header: RemittanceHeader, titles: Iterable[RemittanceTitle]) -> bytes:
    h = header
    if h.bank not in _LAYOUT_VERSION:
        raise RemittanceError(f"no CNAB 240 remittance layout for bank {h.bank!r}", field="bank")
    file_version, lot_version = _LAYOUT_VERSION[h.bank]
    company = only_digits(h.company_document)
    kind = document_type(company)
    lines: list[str] = []

    fh = Record(240)
    _common(fh, h.bank, 0, 0)
    fh.put(at("company document type", 18, 18), kind)
    fh.number(at("company document", 19, 32), company)
    _convenio_fields(fh, h, 33)
    _account_fields(fh, h, 53)
    fh.text(at("company name", 73, 102), h.company_name)
    fh.text(at("bank name", 103, 132), BANK_NAMES[h.bank])
    fh.put(at("remittance code", 143, 143), "1")
    fh.date(at("generation date", 144, 151), h.created_at.date())
    fh.put(at("generation time", 152, 157), h.created_at.strftime("%H%M%S"))
    fh.number(at("file sequence", 158, 163), h.sequence)
    fh.put(at("layout version", 164, 166), file_version)
    fh.zeros(167, 171)  # density
    lines.append(str(fh))

    lh = Record(240)
    _common(lh, h.bank, 1, 1)
    lh.put(at("operation", 9, 9), "R")
    lh.put(at("service", 10, 11), "01")
    lh.zeros(12, 13)
    lh.put(at("lot layout version", 14, 16), lot_version)
    lh.put(at("company document type", 18, 18), kind)
    lh.number(at("company document", 19, 33), company)
    _convenio_fields(lh, h, 34)
    _account_fields(lh, h, 54)
    lh.text(at("company name", 74, 103), h.company_name)
    lh.number(at("remittance number", 184, 191), h.sequence)
    lh.date(at("recording date", 192, 199), h.created_at.date())
    lh.zeros(200, 207)  # credit date
    lines.append(str(lh))

    sequence = 0
    prototypes = Prototypes(h, _fixed)
    for index, title in enumerate(titles, start=1):
        segments = prototypes(title, index)
        _title(h, title, index, sequence + 1, *segments)
        sequence += 3
        lines.extend(map(str, segments))

    lt = Record(240)
    _common(lt, h.bank, 1, 5)
    lt.number(at("records in the lot", 18, 23), sequence + 2)
    lt.zeros(24, 115)  # totals per collection type: filled by the bank in returns
    lines.append(str(lt))

    ft = Record(240)
    _common(ft, h.bank, 9999, 9)
    ft.number(at("lots", 18, 23), 1)
    ft.number(at("records", 24, 29), len(lines) + 1)
    ft.zeros(30, 35)
    lines.append(str(ft))
    return encode(lines)
