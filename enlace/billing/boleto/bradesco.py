"""Boleto layout of Bradesco (237): nosso número and campo livre (docs/boleto-pix.md)."""

from __future__ import annotations

from .core import BoletoInput, CampoLivre, NossoNumero, _digits, _with_digit, mod11


def bradesco_nosso_numero(carteira: str, sequence: str | int) -> NossoNumero:
    """Bradesco: nosso número of 11 digits; its DV is módulo 11 with weights 2 to 7 over
    carteira(2) + nosso número(11), "P" for 10 and 0 for 11."""
    carteira = _digits("carteira", carteira, 2, "for Bradesco")
    number = _digits("nosso_numero", sequence, 11, "for Bradesco")
    dv = mod11(carteira + number, max_weight=7, if_10="P")
    return NossoNumero(number, dv, f"{carteira}/{number}-{dv}")


def bradesco_campo_livre(data: BoletoInput) -> CampoLivre:
    """Bradesco: agência(4) + carteira(2) + nosso número(11) + conta(7) + ``0``."""
    agency = _digits("agency", data.agency, 4, "for Bradesco")
    account = _digits("account", data.account, 7, "for Bradesco (without its DV)")
    carteira = _digits("carteira", data.carteira, 2, "for Bradesco")
    nosso = bradesco_nosso_numero(carteira, data.nosso_numero)
    campo_livre = agency + carteira + nosso.number + account + "0"
    display = f"{_with_digit(agency, data.agency_digit)} / {_with_digit(account, data.account_digit)}"
    return CampoLivre(campo_livre, nosso, display)
