"""The bank's reasons for refusing a title (return occurrence 03 "entrada rejeitada"), in words.

Plain English here, meant as translation msgids (the pt-BR words are in the translation file);
``rejection_message(layout, bank, codes)`` joins them. A code not in the table is shown as
"reason NN (see the bank's manual)", never dropped.

- CNAB 240, every bank: FEBRABAN "Layout Padrão CNAB 240", note C047 (motivos da ocorrência for
  movement 02/03/26/30), the common codes.
- CNAB 400 Bradesco: "Cobrança Bradesco 400", retorno, motivos da ocorrência 03 (the codes below
  agree with FEBRABAN's numbering).
- CNAB 400 Itaú: "Cobrança Bancária — Intercâmbio Eletrônico de Arquivos" (CNAB 400), nota 20,
  tabela 1 (entrada rejeitada: the bank's own numbering, positions 378-385 of the return).
- CNAB 400 Banco do Brasil (CBR643, convênio of 7 digits): "motivos de recusa" of comando 03
  (the bank's own numbering).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

FEBRABAN_240_REJECTIONS = {
    "01": N_("Invalid bank code"),
    "02": N_("Invalid detail record code"),
    "03": N_("Invalid segment code"),
    "04": N_("Movement not allowed for the wallet"),
    "05": N_("Invalid movement code"),
    "06": N_("Invalid beneficiary document type or number"),
    "07": N_("Invalid agency, account or check digit"),
    "08": N_("Invalid nosso número"),
    "09": N_("Duplicate nosso número"),
    "10": N_("Invalid wallet (carteira)"),
    "11": N_("Invalid title registration form"),
    "12": N_("Invalid document type"),
    "13": N_("Invalid boleto issuance identification"),
    "14": N_("Invalid boleto distribution identification"),
    "15": N_("Collection characteristics not compatible"),
    "16": N_("Invalid due date"),
    "17": N_("Due date before the issue date"),
    "18": N_("Due date outside the operation's term"),
    "20": N_("Invalid title amount"),
    "21": N_("Invalid title species"),
    "22": N_("Title species not allowed for the wallet"),
    "23": N_("Invalid acceptance"),
    "24": N_("Invalid issue date"),
    "25": N_("Issue date after the entry date"),
    "26": N_("Invalid interest code"),
    "27": N_("Invalid interest amount or rate"),
    "28": N_("Invalid discount code"),
    "29": N_("Discount equal to or greater than the title amount"),
    "32": N_("Invalid IOF amount"),
    "33": N_("Invalid abatement amount"),
    "34": N_("Abatement equal to or greater than the title amount"),
    "37": N_("Invalid protest code"),
    "38": N_("Invalid protest term"),
    "42": N_("Invalid write-off code"),
    "43": N_("Invalid write-off term"),
    "44": N_("Invalid currency code"),
    "45": N_("Payer name missing"),
    "46": N_("Invalid payer document type or number"),
    "47": N_("Payer address missing"),
    "48": N_("Invalid CEP"),
    "49": N_("CEP without a collection place"),
    "51": N_("CEP does not match the state"),
    "52": N_("Invalid state (UF)"),
    "57": N_("Invalid fine code"),
    "58": N_("Invalid fine date"),
    "59": N_("Invalid fine amount or percentage"),
    "60": N_("Movement for a title that is not registered"),
    "63": N_("Entry for a title already registered"),
    "86": N_("Invalid beneficiary (convênio)"),
}

BRADESCO_400_REJECTIONS = {
    code: FEBRABAN_240_REJECTIONS[code]
    for code in (
        "02",
        "04",
        "07",
        "08",
        "09",
        "10",
        "16",
        "18",
        "20",
        "21",
        "22",
        "24",
        "38",
        "45",
        "46",
        "47",
        "48",
        "63",
    )  # fmt: skip
}

ITAU_400_REJECTIONS = {
    "03": N_("No collecting agency for the CEP, or invalid CEP"),
    "04": N_("Invalid state (UF)"),
    "05": N_("Due date outside the operation's minimum or maximum term"),
    "07": N_("Title amount above 10,000,000.00"),
    "08": N_("Payer name missing or misplaced"),
    "09": N_("Agency closed"),
    "10": N_("Payer address missing or misplaced"),
    "11": N_("CEP is not numeric"),
    "12": N_("Guarantor name missing or misplaced"),
    "13": N_("CEP does not match the state"),
    "14": N_("Nosso número already registered at the bank or out of range"),
    "15": N_("Nosso número repeated in the same file"),
    "18": N_("Entry date not valid for this wallet"),
    "19": N_("Invalid movement code"),
    "21": N_("Collecting agency refused for this wallet or payer's state"),
    "22": N_("Wallet not allowed (a free number range must be registered)"),
    "27": N_("Beneficiary's CNPJ not fit"),
    "29": N_("Invalid account category"),
    "35": N_("IOF above 5%"),
    "36": N_("Currency quantity does not match the title amount"),
    "37": N_("Payer's CPF/CNPJ not numeric or zero"),
    "42": N_("Nosso número out of range"),
    "60": N_("Invalid abatement amount"),
    "61": N_("Late interest above what is allowed"),
    "62": N_("Discount greater than the title amount"),
    "63": N_("Discount per day not allowed"),
    "64": N_("Invalid issue date"),
    "66": N_("Invalid due date or outside the operation's term"),
    "67": N_("Invalid title amount or currency quantity"),
    "68": N_("Invalid wallet (carteira)"),
}

BB_400_REJECTIONS = {
    "01": N_("Invalid identification"),
    "02": N_("Invalid wallet variation"),
    "03": N_("Invalid daily interest amount"),
    "04": N_("Invalid discount amount"),
    "05": N_("Title species not allowed for the wallet/variation"),
    "07": N_("Invalid agency prefix"),
    "08": N_("Invalid title amount"),
    "09": N_("Invalid due date"),
    "10": N_("Outside the term allowed by the wallet"),
    "12": N_("The bank has no agency in the payer's town"),
    "13": N_("Registration reasons"),
    "16": N_("Title filled in irregularly"),
    "18": N_("Payer address not found or incomplete"),
    "19": N_("Invalid beneficiary code"),
    "20": N_("Payer name or address missing"),
    "21": N_("Invalid wallet (carteira)"),
    "23": N_("Nosso número range exceeded"),
    "24": N_("Invalid abatement amount"),
    "27": N_("Invalid payer or beneficiary name"),
    "28": N_("Invalid new due date"),
    "29": N_("Address missing"),
    "33": N_("Nosso número already exists"),
    "35": N_("Invalid discount percentage"),
    "37": N_("Invalid issue date"),
    "38": N_("Due date before the issue date"),
    "40": N_("Invalid currency code"),
    "42": N_("CEP and state invalid or not matching"),
    "45": N_("Wallet/variation closed"),
    "46": N_("Agreement (convênio) closed"),
    "51": N_("Invalid beneficiary (convênio)"),
    "52": N_("Abatement equal to or greater than the title amount"),
    "56": N_("Title does not belong to the beneficiary"),
    "63": N_("Invalid nosso número check digit"),
    "66": N_("Invalid payer document type or number"),
    "68": N_("Invalid fine code, date or percentage"),
    "69": N_("Invalid interest amount or rate"),
    "71": N_("Invalid interest code"),
    "80": N_("Invalid nosso número"),
    "81": N_("Invalid discount date"),
    "82": N_("Invalid CEP"),
    "83": N_("Wallet/variation not found for the beneficiary"),
    "99": N_("Other reasons"),
}

#: (layout, bank) → reason code → words; a pair not listed shows the codes only.
TABLES: dict[tuple[str, str], dict[str, str]] = {
    **{("240", bank): FEBRABAN_240_REJECTIONS for bank in ("001", "104", "237", "341", "748", "756")},
    ("400", "237"): BRADESCO_400_REJECTIONS,
    ("400", "341"): ITAU_400_REJECTIONS,
    ("400", "001"): BB_400_REJECTIONS,
}


def reason_words(layout: str, bank: str, code: str) -> str:
    """One reason in words (the active language), or "reason NN" when the table has no words."""
    words = TABLES.get((layout, bank), {}).get(code)
    if words:
        return _(words)
    return _("reason %(code)s (see the bank's manual)") % {"code": code}


def rejection_message(layout: str, bank: str, codes: tuple[str, ...] | list[str]) -> str:
    """The words of every reason the bank gave, "; "-joined; a generic sentence without any."""
    if not codes:
        return _("Rejected by the bank (no reason given).")
    return "; ".join(f"{code} – {reason_words(layout, bank, code)}" for code in codes)
