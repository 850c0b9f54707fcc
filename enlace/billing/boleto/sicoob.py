"""Boleto layout of Sicoob (756), a credit cooperative: nosso número and campo livre (docs/boleto-pix.md)."""

from __future__ import annotations

from .core import BoletoError, BoletoInput, CampoLivre, NossoNumero, _digits

_SICOOB_WEIGHTS = (3, 1, 9, 7)


def sicoob_nosso_numero(agency: str, convenio: str, sequence: str | int) -> NossoNumero:
    """Sicoob: nosso número of 7 digits + DV. The DV: cooperativa(4) + código do cliente (10,
    zero-filled) + nosso número(7) times the weights 3, 1, 9, 7 repeated from the left; remainder
    of the sum by 11; 0 when the remainder is 0 or 1, else 11 - remainder."""
    agency = _digits("agency", agency, 4, "for Sicoob (cooperativa)")
    code = _digits("convenio", convenio, 7, "for Sicoob (código do beneficiário)")
    number = _digits("nosso_numero", sequence, 7, "for Sicoob")
    base = agency + code.zfill(10) + number
    remainder = sum(int(d) * _SICOOB_WEIGHTS[i % 4] for i, d in enumerate(base)) % 11
    dv = "0" if remainder in (0, 1) else str(11 - remainder)
    return NossoNumero(number, dv, f"{number}-{dv}")


def sicoob_campo_livre(data: BoletoInput) -> CampoLivre:
    """Sicoob: carteira(1) + cooperativa(4) + modalidade(2) + código do beneficiário(7) + nosso
    número with DV(8) + parcela(3)."""
    carteira = _digits("carteira", data.carteira or "1", 1, "for Sicoob")
    agency = _digits("agency", data.agency, 4, "for Sicoob (cooperativa)")
    modalidade = _digits("modalidade", data.modalidade, 2, "for Sicoob")
    code = _digits("convenio", data.convenio, 7, "for Sicoob (código do beneficiário)")
    if isinstance(data.parcela, bool) or not isinstance(data.parcela, int) or not 1 <= data.parcela <= 999:
        raise BoletoError("parcela", f"expected an instalment number from 1 to 999, got {data.parcela!r}")
    nosso = sicoob_nosso_numero(agency, code, data.nosso_numero)
    campo_livre = carteira + agency + modalidade + code + nosso.number + nosso.dv + f"{data.parcela:03d}"
    return CampoLivre(campo_livre, nosso, f"{agency} / {code}")
