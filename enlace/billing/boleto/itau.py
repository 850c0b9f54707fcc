"""Boleto layout of Itaú (341): nosso número and campo livre (docs/boleto-pix.md)."""

from __future__ import annotations

from .core import BoletoError, BoletoInput, CampoLivre, NossoNumero, _digits, mod10

# Carteiras whose nosso número DAC covers only carteira + nosso número: 126, 131, 146, 150 and
# 168 (Itaú boleto manual), and the "escritural" carteira 112 (Itaú CNAB 240 manual, note 27:
# "... e escriturais"; confirmed against bank-issued boletos in brcobranca#4, boleto2net#85 and
# laravel-boleto#610). Carteiras that need "seu número" and the client code in the campo livre
# use a layout not implemented here.
_ITAU_SHORT_DAC = frozenset({"112", "126", "131", "146", "150", "168"})
_ITAU_SEU_NUMERO = frozenset({"106", "107", "122", "142", "143", "195", "196", "198"})


def _itau_parts(agency: object, account: object, carteira: object) -> tuple[str, str, str]:
    agency = _digits("agency", agency, 4, "for Itaú")
    account = _digits("account", account, 5, "for Itaú (without its DAC)")
    carteira = _digits("carteira", carteira, 3, "for Itaú")
    if carteira in _ITAU_SEU_NUMERO:
        raise BoletoError(
            "carteira", f"Itaú carteira {carteira} uses the 'seu número' layout, which is not supported"
        )
    return agency, account, carteira


def itau_nosso_numero(agency: str, account: str, carteira: str, sequence: str | int) -> NossoNumero:
    """Itaú: nosso número of 8 digits; its DAC is módulo 10 of agência + conta + carteira + nosso
    número (of carteira + nosso número only for carteiras 112, 126, 131, 146, 150 and 168)."""
    agency, account, carteira = _itau_parts(agency, account, carteira)
    number = _digits("nosso_numero", sequence, 8, "for Itaú")
    base = carteira + number if carteira in _ITAU_SHORT_DAC else agency + account + carteira + number
    dv = mod10(base)
    return NossoNumero(number, dv, f"{carteira}/{number}-{dv}")


def itau_campo_livre(data: BoletoInput) -> CampoLivre:
    """Itaú: carteira(3) + nosso número(8) + DAC(1) + agência(4) + conta(5) + DAC of agência +
    conta(1) + ``000``."""
    agency, account, carteira = _itau_parts(data.agency, data.account, data.carteira)
    nosso = itau_nosso_numero(agency, account, carteira, data.nosso_numero)
    account_dac = mod10(agency + account)
    given = (data.account_digit or "").strip()
    if given and given != account_dac:
        raise BoletoError(
            "account_digit",
            f"Itaú's DAC of agência {agency} + conta {account} is {account_dac}, not {given}",
        )
    campo_livre = carteira + nosso.number + nosso.dv + agency + account + account_dac + "000"
    return CampoLivre(campo_livre, nosso, f"{agency} / {account}-{account_dac}")
