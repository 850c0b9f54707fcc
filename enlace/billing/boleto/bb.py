"""Boleto layout of Banco do Brasil (001): nosso número and campo livre (docs/boleto-pix.md)."""

from __future__ import annotations

from .core import _DIGITS_RE, BoletoError, BoletoInput, CampoLivre, NossoNumero, _digits, _with_digit, mod11

_BB_SEQUENCE_SIZE = {4: 7, 6: 5, 7: 10, 8: 9}


def _bb_convenio(convenio: object) -> str:
    text = convenio.strip() if isinstance(convenio, str) else str(convenio)
    if not _DIGITS_RE.fullmatch(text) or len(text) not in _BB_SEQUENCE_SIZE:
        raise BoletoError(
            "convenio",
            f"Banco do Brasil convênios have 4, 6, 7 or 8 digits (as BB issued them), got {convenio!r}",
        )
    return text


def bb_nosso_numero(convenio: str, sequence: str | int) -> NossoNumero:
    """Banco do Brasil: convênio + sequence. Convênios of 4 and 6 digits make an 11-digit nosso
    número (sequence of 7 or 5 digits) with a módulo 11 DV ("X" for 10); convênios of 7 and 8
    digits a 17-digit one (sequence of 10 or 9 digits) without DV."""
    convenio = _bb_convenio(convenio)
    size = _BB_SEQUENCE_SIZE[len(convenio)]
    number = convenio + _digits(
        "nosso_numero", sequence, size, f"after a {len(convenio)}-digit Banco do Brasil convênio"
    )
    if len(number) == 11:
        dv = mod11(number, if_10="X")
        return NossoNumero(number, dv, f"{number}-{dv}")
    return NossoNumero(number, "", number)


def bb_campo_livre(data: BoletoInput) -> CampoLivre:
    """Banco do Brasil: nosso número(11) + agência(4) + conta(8) + carteira(2) for convênios of 4
    and 6 digits; ``000000`` + nosso número(17) + carteira(2) for 7 and 8."""
    agency = _digits("agency", data.agency, 4, "for Banco do Brasil")
    account = _digits("account", data.account, 8, "for Banco do Brasil")
    carteira = _digits("carteira", data.carteira, 2, "for Banco do Brasil")
    nosso = bb_nosso_numero(data.convenio, data.nosso_numero)
    if len(nosso.number) == 11:
        campo_livre = nosso.number + agency + account + carteira
    else:
        campo_livre = "000000" + nosso.number + carteira
    display = f"{_with_digit(agency, data.agency_digit)} / {_with_digit(account, data.account_digit)}"
    return CampoLivre(campo_livre, nosso, display)
