"""Amounts in words ("valor por extenso") in Brazilian Portuguese, as receipts print them.

The words are the document's content in pt-BR by nature (a receipt in Brazil states the amount in
Portuguese whatever the operator's language), so they are not translated.
"""

from __future__ import annotations

from decimal import Decimal

from enlace.core.money import cents

__all__ = ["amount_in_words", "number_in_words"]

_UNITS = (
    "zero",
    "um",
    "dois",
    "três",
    "quatro",
    "cinco",
    "seis",
    "sete",
    "oito",
    "nove",
    "dez",
    "onze",
    "doze",
    "treze",
    "catorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
)
_TENS = ("", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa")
_HUNDREDS = (
    "",
    "cento",
    "duzentos",
    "trezentos",
    "quatrocentos",
    "quinhentos",
    "seiscentos",
    "setecentos",
    "oitocentos",
    "novecentos",
)
# (singular, plural) of each group of three digits from the right; the units group has no name.
_SCALES = (
    ("", ""),
    ("mil", "mil"),
    ("milhão", "milhões"),
    ("bilhão", "bilhões"),
    ("trilhão", "trilhões"),
    ("quatrilhão", "quatrilhões"),
)


def _below_thousand(number: int) -> str:
    """1 … 999: hundreds, tens and units joined by "e" ("duzentos e trinta e quatro")."""
    if number == 100:
        return "cem"
    hundreds, rest = divmod(number, 100)
    parts = [_HUNDREDS[hundreds]] if hundreds else []
    if 0 < rest < 20:
        parts.append(_UNITS[rest])
    elif rest:
        tens, units = divmod(rest, 10)
        parts.append(_TENS[tens])
        if units:
            parts.append(_UNITS[units])
    return " e ".join(parts)


def number_in_words(number: int) -> str:
    """A non-negative integer in words: 1234 → "mil duzentos e trinta e quatro", 1500000 → "um
    milhão e quinhentos mil".

    Groups of three digits are joined by a space, except that "e" comes before the last group
    when it is below one hundred or a round hundred ("mil e vinte", "mil e duzentos"); "mil" is
    never preceded by "um".
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"expected an int, got {type(number).__name__}")
    if number < 0:
        raise ValueError(f"expected a non-negative number, got {number}")
    if number == 0:
        return _UNITS[0]
    groups: list[tuple[int, int]] = []  # (value, scale) of the non-zero groups, lowest first
    scale = 0
    while number:
        number, value = divmod(number, 1000)
        if value:
            if scale >= len(_SCALES):
                raise ValueError("number too large")
            groups.append((value, scale))
        scale += 1
    groups.reverse()
    words: list[str] = []
    for index, (value, scale) in enumerate(groups):
        singular, plural = _SCALES[scale]
        if scale == 0:
            text = _below_thousand(value)
        elif scale == 1:
            text = "mil" if value == 1 else f"{_below_thousand(value)} mil"
        else:
            text = f"{_below_thousand(value)} {singular if value == 1 else plural}"
        if index and index == len(groups) - 1 and (value < 100 or value % 100 == 0):
            words.append("e")
        words.append(text)
    return " ".join(words)


def amount_in_words(amount: Decimal | int | str) -> str:
    """An amount of money in words, in reais and centavos: 1 → "um real", 0.50 → "cinquenta
    centavos", 1234.56 → "mil duzentos e trinta e quatro reais e cinquenta e seis centavos",
    2000000 → "dois milhões de reais" ("de" after a round million, billion, ...)."""
    if isinstance(amount, float):
        raise TypeError("use a Decimal, not a float")
    value = cents(amount)
    if value < 0:
        raise ValueError(f"expected a non-negative amount, got {value}")
    reais, centavos = divmod(int(value * 100), 100)
    parts = []
    if reais:
        unit = "real" if reais == 1 else "reais"
        if reais % 1_000_000 == 0:
            unit = f"de {unit}"
        parts.append(f"{number_in_words(reais)} {unit}")
    if centavos:
        parts.append(f"{number_in_words(centavos)} {'centavo' if centavos == 1 else 'centavos'}")
    return " e ".join(parts) if parts else "zero reais"
