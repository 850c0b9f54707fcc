"""The bank's reasons for refusing a title (return occurrence 03 "entrada rejeitada"), in words.

Plain English here, meant as translation msgids (the pt-BR words are in the translation file);
``rejection_message(layout, bank, codes)`` joins them. A code not in the table is shown as
"reason NN (see the bank's manual)", never dropped.

- CNAB 240, every bank: FEBRABAN "Layout Padrão CNAB 240", note C047 (motivos da ocorrência for
  movement 02/03/26/30), the common codes.
- CNAB 400 Bradesco: "Cobrança Bradesco 400", retorno, motivos da ocorrência 03 (the codes below
  agree with FEBRABAN's numbering).
- CNAB 400 Itaú and Banco do Brasil: their 03 reasons use the bank's own numbering; only the code
  is shown (docs/cnab.md, "Registration").
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

#: (layout, bank) → reason code → words; a pair not listed shows the codes only.
TABLES: dict[tuple[str, str], dict[str, str]] = {
    **{("240", bank): FEBRABAN_240_REJECTIONS for bank in ("001", "104", "237", "341", "748", "756")},
    ("400", "237"): BRADESCO_400_REJECTIONS,
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
