"""CNAB 400 remittance for Itaú (341, "Cobrança 400 bytes"), Bradesco (237, "Layout Cobrança 400")
and Banco do Brasil (001, CBR641: convênio of 7 digits, detail type 7).

Each file is a header, one detail per title (plus a fine record where the bank keeps the fine
apart: Itaú type 2, Banco do Brasil type 5), and a trailer; positions 395-400 of every record
number it from 1. The positions the three banks share are written once in ``_detail``; the rest
is per bank. docs/cnab.md, "Remittance files".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

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

# "Espécie do título" per bank: Itaú 01 DM, 08 DS, 99 outros; Bradesco and BB 01 DM, 12 DS, 99.
_SPECIES = {
    "341": {"DM": "01", "DS": "08", "OU": "99"},
    "237": {"DM": "01", "DS": "12", "OU": "99"},
    "001": {"DM": "01", "DS": "12", "OU": "99"},
}
# The literal after the bank code in the header (80-94).
_BANK_LITERAL = {"341": "BANCO ITAU SA", "237": "BRADESCO", "001": "BANCODOBRASIL"}
# The instruction that asks for a protest after N days: Itaú 09 and BB 06 with the days at
# 392-393; Bradesco 06 with the days in the second instruction (159-160).
_PROTEST = {"341": "09", "237": "06", "001": "06"}


def _header(h: RemittanceHeader) -> Record:
    r = Record(400)
    r.put(at("header", 1, 26), "01REMESSA01" + "COBRANCA".ljust(15))
    if h.bank == "341":
        r.number(at("agency", 27, 30), h.agency)
        r.zeros(31, 32)
        r.number(at("account", 33, 37), h.account)
        r.text(at("account DAC", 38, 38), h.account_dv)
    elif h.bank == "237":
        r.number(at("company code", 27, 46), only_digits(h.convenio))
    else:
        r.number(at("agency", 27, 30), h.agency)
        r.text(at("agency check digit", 31, 31), h.agency_dv)
        r.number(at("account", 32, 39), h.account)
        r.text(at("account check digit", 40, 40), h.account_dv)
        r.zeros(41, 46)
    r.text(at("company name", 47, 76), h.company_name)
    r.number(at("bank", 77, 79), h.bank)
    r.text(at("bank name", 80, 94), _BANK_LITERAL[h.bank])
    r.date(at("generation date", 95, 100), h.created_at.date())
    if h.bank == "237":
        r.put(at("system", 109, 110), "MX")
        r.number(at("file sequence", 111, 117), h.sequence)
    elif h.bank == "001":
        r.number(at("file sequence", 101, 107), h.sequence)
        r.number(at("convênio", 130, 136), h.convenio)
    r.number(at("record sequence", 395, 400), 1)
    return r


def _fixed(h: RemittanceHeader, t: RemittanceTitle, index: int) -> tuple[Record, ...]:
    """The detail (and the fine record, where the bank keeps the fine apart) with what depends on
    the wallet and the title's shape only (``remittance.SHAPE``); ``_title`` writes the rest."""
    d = Record(400)
    company = only_digits(h.company_document)
    if h.bank == "341":
        d.put(at("record type", 1, 1), "1")
        d.put(at("company document type", 2, 3), "0" + document_type(company))
        d.number(at("company document", 4, 17), company)
        d.number(at("agency", 18, 21), h.agency)
        d.zeros(22, 23)
        d.number(at("account", 24, 28), h.account)
        d.text(at("account DAC", 29, 29), h.account_dv)
        d.zeros(34, 37)  # instruction / cancelled allegation
        d.zeros(71, 83)  # quantity of currency
        d.number(at("carteira", 84, 86), h.carteira)
        d.put(at("carteira code", 108, 108), "I")
    elif h.bank == "237":
        d.put(at("record type", 1, 1), "1")
        d.zeros(2, 21)  # automatic debit account: none
        d.number(at("carteira", 22, 24), h.carteira)
        d.number(at("agency", 25, 29), h.agency)
        d.number(at("account", 30, 36), h.account)
        d.text(at("account check digit", 37, 37), h.account_dv)
        d.zeros(63, 65)  # bank of the debit
        if t.fine_rate:  # fine: 2 = percentual, the rate at 67-70 (2 decimal places)
            d.put(at("fine", 66, 66), "2")
            d.amount(at("fine rate", 67, 70), t.fine_rate)
        else:
            d.zeros(66, 70)
        d.zeros(83, 92)  # bonus per day
        d.put(at("boleto issued by", 93, 93), "2")  # the beneficiary issues it
        d.put(at("automatic debit", 94, 94), "N")
        d.put(at("debit notice", 106, 106), "2")
    else:
        if len(h.convenio) != 7:
            raise RemittanceError("Banco do Brasil CBR641 needs a convênio of 7 digits", field="convenio")
        d.put(at("record type", 1, 1), "7")
        d.put(at("company document type", 2, 3), "0" + document_type(company))
        d.number(at("company document", 4, 17), company)
        d.number(at("agency", 18, 21), h.agency)
        d.text(at("agency check digit", 22, 22), h.agency_dv)
        d.number(at("account", 23, 30), h.account)
        d.text(at("account check digit", 31, 31), h.account_dv)
        d.number(at("convênio", 32, 38), h.convenio)
        d.zeros(81, 84)  # instalment and value group
        d.number(at("carteira variation", 92, 94), h.variation or "0")
        d.zeros(95, 101)  # guarantee account and bordereau
        d.number(at("carteira", 107, 108), h.carteira)
    d.number(at("movement", 109, 110), movement_code(h, t, index))
    d.number(at("bank", 140, 142), h.bank if h.bank != "237" else "0")
    d.zeros(143, 147 if h.bank != "001" else 146)  # collecting agency: the bank chooses
    species = _SPECIES[h.bank].get(t.species)
    if species is None:
        raise RemittanceError(f"unknown species {t.species!r}", field="species", title=index)
    d.number(at("species", 148, 149), species)
    d.put(at("accept", 150, 150), "A" if t.accept else "N")
    d.zeros(157, 160)  # instructions: none
    if t.protest_days:
        d.put(at("instruction 1", 157, 158), _PROTEST[h.bank])
        if h.bank == "237":
            d.number(at("protest days", 159, 160), t.protest_days)
        else:
            d.number(at("protest days", 392, 393), t.protest_days)
    elif h.bank == "341":
        d.zeros(392, 393)
    d.zeros(193, 205)  # IOF
    fine = _fine(h, t)
    return (d,) if fine is None else (d, fine)


def _fine(h: RemittanceHeader, t: RemittanceTitle) -> Record | None:
    """Itaú's type 2 and Banco do Brasil's type 5 record: the fine, as a percentage, from the day
    after the due date (``_title``). Bradesco carries the fine in the detail (66-70)."""
    if not t.fine_rate or h.bank == "237":
        return None
    r = Record(400)
    if h.bank == "341":
        r.put(at("record type", 1, 1), "2")
        r.put(at("fine code", 2, 2), "2")
        r.amount(at("fine", 11, 23), t.fine_rate)
    else:
        r.put(at("record type", 1, 1), "5")
        r.put(at("service", 2, 3), "99")  # cobrança de multa
        r.put(at("fine code", 4, 4), "2")
        r.amount(at("fine", 11, 22), t.fine_rate)
    return r


_FINE_DATE = {"341": at("fine date", 3, 10), "001": at("fine date", 5, 10)}
_NAME_END = {"341": 264, "237": 274, "001": 271}


def _title(
    h: RemittanceHeader, t: RemittanceTitle, index: int, d: Record, fine: Record | None = None
) -> None:
    """The title's own values on the copies of its shape's records (``_fixed``)."""
    n = bank_number(h, t)
    if h.bank == "341":
        d.number(at("nosso número", 63, 70), n.number)
    elif h.bank == "237":
        d.number(at("nosso número", 71, 81), n.number)
        d.text(at("nosso número DV", 82, 82), n.dv)
    else:
        d.number(at("nosso número", 64, 80), n.number)
    d.text(at("company use", 38, 62) if h.bank != "001" else at("company use", 39, 63), t.company_use)
    d.text(at("document number", 111, 120), t.document_number)
    d.date(at("due date", 121, 126), t.due_date)
    d.amount(at("amount", 127, 139), t.amount)
    d.date(at("issue date", 151, 156), t.issue_date)
    d.amount(at("interest per day", 161, 173), t.daily_interest())
    if t.discount:
        d.date(at("discount until", 174, 179), t.discount_until or t.due_date)
        d.amount(at("discount", 180, 192), t.discount)
    else:
        d.zeros(174, 192)
    d.amount(at("abatement", 206, 218), t.abatement)
    payer = only_digits(t.payer_document)
    try:
        d.put(at("payer document type", 219, 220), "0" + document_type(payer))
    except RemittanceError as error:
        raise RemittanceError(
            f"payer document: {error.message}", field="payer_document", title=index
        ) from None
    d.number(at("payer document", 221, 234), payer)
    d.text(at("payer name", 235, _NAME_END[h.bank]), t.payer_name)
    d.text(at("payer address", 275, 314), t.payer_address)
    cep = only_digits(t.payer_cep)
    if len(cep) != 8:
        raise RemittanceError(f"payer CEP {t.payer_cep!r} must have 8 digits", field="payer_cep", title=index)
    d.number(at("payer CEP", 327, 334), cep)
    if h.bank != "237":  # Bradesco has no neighbourhood, city or UF (the CEP locates the payer)
        d.text(at("payer neighbourhood", 315, 326), t.payer_neighbourhood)
        d.text(at("payer city", 335, 349), t.payer_city)
        d.text(at("payer UF", 350, 351), t.payer_uf)
    day_after = t.due_date + timedelta(days=1)
    if h.bank == "341":  # interest from (386-391): the day after the due date
        d.date(at("interest date", 386, 391), day_after)
    if fine is not None:
        fine.date(_FINE_DATE[h.bank], day_after)


def build_remittance400(header: RemittanceHeader, titles: Iterable[RemittanceTitle]) -> bytes:
    h = header
    if h.bank not in _BANK_LITERAL:
        raise RemittanceError(f"no CNAB 400 remittance layout for bank {h.bank!r}", field="bank")
    records = [_header(h)]
    prototypes = Prototypes(h, _fixed)
    for index, title in enumerate(titles, start=1):
        made = prototypes(title, index)
        _title(h, title, index, *made)
        records.extend(made)
    records.append(Record(400))
    records[-1].put(at("record type", 1, 1), "9")
    lines = []
    for number, record in enumerate(records, start=1):
        record.number(at("record sequence", 395, 400), number)
        lines.append(str(record))
    return encode(lines)
