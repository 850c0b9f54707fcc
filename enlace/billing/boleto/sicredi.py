"""Boleto layout of Sicredi (748), a credit cooperative: nosso número and campo livre (docs/boleto-pix.md)."""

from __future__ import annotations

from .core import BoletoError, BoletoInput, CampoLivre, NossoNumero, _as_date, _digits, amount_to_cents, mod11


def _sicredi_agency_posto(agency: object, posto: object) -> tuple[str, str]:
    agency_text = agency.strip() if isinstance(agency, str) else agency
    posto_text = posto.strip() if isinstance(posto, str) else posto
    if isinstance(agency_text, str) and "." in agency_text:
        agency_text, _, embedded = agency_text.partition(".")
        if posto_text and _digits("posto", posto_text, 2) != _digits("agency", embedded, 2):
            raise BoletoError("posto", f"differs from the posto in agency {agency!r}")
        posto_text = posto_text or embedded
    if posto_text in ("", None):
        raise BoletoError("posto", "Sicredi needs the posto (2 digits), or agency as 'CCCC.PP'")
    return (
        _digits("agency", agency_text, 4, "for Sicredi (cooperativa)"),
        _digits("posto", posto_text, 2, "for Sicredi"),
    )


def sicredi_nosso_numero(
    agency: str, posto: str, convenio: str, year: int, sequence: str | int, byte: str = "2"
) -> NossoNumero:
    """Sicredi: year(2) + byte(1, 2..9 when the beneficiary numbers) + sequence(5) + DV; the DV
    is módulo 11 (0 when above 9) over cooperativa(4) + posto(2) + código do beneficiário(5) +
    year + byte + sequence."""
    agency, posto = _sicredi_agency_posto(agency, posto)
    code = _digits("convenio", convenio, 5, "for Sicredi (código do beneficiário)")
    if isinstance(year, bool) or not isinstance(year, int) or not 0 <= year <= 9999:
        raise BoletoError("year", f"expected a year, got {year!r}")
    byte = str(byte).strip()
    if byte not in set("23456789"):
        raise BoletoError("sicredi_byte", f"must be 2 to 9 when the beneficiary numbers, got {byte!r}")
    number = f"{year % 100:02d}{byte}" + _digits("nosso_numero", sequence, 5, "for Sicredi")
    dv = mod11(agency + posto + code + number)
    return NossoNumero(number, dv, f"{number[:2]}/{number[2:]}-{dv}")


SICREDI_SEQUENCE_MAX = 99_999
"""The sequence has five digits and restarts each year: the year in front keeps numbers apart."""


def sicredi_wallet_number(year: int, sequence: int, byte: str = "2") -> int:
    """The number a Sicredi wallet keeps for a title (``Invoice.nosso_numero``): the nosso número
    without its check digit, ``YYBNNNNN``: year (2), byte (1), sequence (5), as Sicredi writes it
    in the return file. A yearly sequence so never repeats a number of another year."""
    if not 1 <= sequence <= SICREDI_SEQUENCE_MAX:
        raise BoletoError("nosso_numero", f"the Sicredi sequence has 5 digits, got {sequence}")
    if byte not in set("23456789"):
        raise BoletoError("sicredi_byte", f"must be 2 to 9 when the beneficiary numbers, got {byte!r}")
    return int(f"{year % 100:02d}{byte}{sequence:05d}")


def sicredi_split(number: int) -> tuple[int, str, int]:
    """``(two-digit year, byte, sequence)`` of a number from :func:`sicredi_wallet_number`."""
    return number // 1_000_000, str(number // 100_000 % 10), number % 100_000


def sicredi_campo_livre(data: BoletoInput) -> CampoLivre:
    """Sicredi: tipo de cobrança(1: 1 com registro, 3 sem registro) + carteira ``1`` + nosso
    número with DV(9) + cooperativa(4) + posto(2) + código do beneficiário(5) + ``1`` when the
    amount is given else ``0`` + ``0`` + DV of the first 24 digits (módulo 11, 0 when above 9)."""
    kind = _digits("carteira", data.carteira or "1", 1, "for Sicredi (tipo de cobrança)")
    if kind not in ("1", "3"):
        raise BoletoError("carteira", f"Sicredi tipo de cobrança is 1 (com registro) or 3, got {kind}")
    if data.issue_date is None:
        raise BoletoError("issue_date", "Sicredi's nosso número carries the year the boleto is issued")
    issue_date = _as_date("issue_date", data.issue_date)
    agency, posto = _sicredi_agency_posto(data.agency, data.posto)
    code = _digits("convenio", data.convenio, 5, "for Sicredi (código do beneficiário)")
    nosso = sicredi_nosso_numero(agency, posto, code, issue_date.year, data.nosso_numero, data.sicredi_byte)
    has_amount = "1" if amount_to_cents(data.amount) > 0 else "0"
    body = kind + "1" + nosso.number + nosso.dv + agency + posto + code + has_amount + "0"
    return CampoLivre(body + mod11(body), nosso, f"{agency}.{posto}.{code}")
