"""Boleto layout of Caixa Econômica Federal (104), SIGCB: nosso número and campo livre
(docs/boleto-pix.md)."""

from __future__ import annotations

from .core import BoletoError, BoletoInput, CampoLivre, NossoNumero, _digits, mod11

_CAIXA_CARTEIRA = {"": "1", "1": "1", "RG": "1", "2": "2", "SR": "2"}
CAIXA_MAX_AMOUNT_CENTS = 9_999_999_99
"""Caixa's manual limits the amount of a boleto to R$ 9,999,999.99."""


def _caixa_kind(carteira: object) -> str:
    key = carteira.strip().upper() if isinstance(carteira, str) else str(carteira)
    if key not in _CAIXA_CARTEIRA:
        raise BoletoError(
            "carteira", f"Caixa carteira is 1 or RG (registrada), 2 or SR (sem registro), got {carteira!r}"
        )
    return _CAIXA_CARTEIRA[key]


def caixa_nosso_numero(carteira: str, sequence: str | int) -> NossoNumero:
    """Caixa SIGCB: 17 digits, carteira (1 registrada / 2 sem registro) + ``4`` (issued by the
    beneficiary) + 15 digits of the beneficiary's; DV módulo 11 over the 17, 0 when above 9."""
    number = _caixa_kind(carteira) + "4" + _digits("nosso_numero", sequence, 15, "for Caixa")
    dv = mod11(number)
    return NossoNumero(number, dv, f"{number}-{dv}")


def _caixa_beneficiary(convenio: object) -> tuple[str, str]:
    """Beneficiary code as it goes into the campo livre (7 digits) and as it is displayed."""
    code = _digits("convenio", convenio, 7, "for Caixa (código do beneficiário)")
    value = int(code)
    if value == 0:
        raise BoletoError("convenio", "Caixa código do beneficiário is required")
    if value <= 999_999:
        six = code[1:]
        dv = mod11(six)
        return six + dv, f"{six}-{dv}"
    if value >= 1_100_000:
        return code, code
    raise BoletoError(
        "convenio", f"Caixa código do beneficiário {code} is neither 6 digits nor from 1100000 on"
    )


def caixa_campo_livre(data: BoletoInput) -> CampoLivre:
    """Caixa SIGCB: código do beneficiário(6) + its DV(1) (or a 7-digit code from 1100000 on,
    without DV) + nosso número 3-5 + nosso número 1 + nosso número 6-8 + nosso número 2 + nosso
    número 9-17 + DV of the first 24 digits (módulo 11, 0 when above 9)."""
    agency = _digits("agency", data.agency, 4, "for Caixa")
    code, code_display = _caixa_beneficiary(data.convenio)
    nosso = caixa_nosso_numero(data.carteira, data.nosso_numero)
    n = nosso.number
    body = code + n[2:5] + n[0] + n[5:8] + n[1] + n[8:17]
    return CampoLivre(body + mod11(body), nosso, f"{agency} / {code_display}")
