"""The NFCom access key ("chave de acesso", 44 characters) and its check digit.

Layout (MOC NFCom, "Chave de Acesso"): cUF (2) + AAMM of the emission (4) + the emitter's CNPJ (14)
+ model 62 (2) + series (3) + number (9) + emission type (1) + authoriser site (1) + cNF, a
7-digit code (7) + check digit (1).

The check digit is modulo 11: weights 2 to 9 repeating, from the rightmost character of the other 43;
digit = 11 − (sum mod 11), and 0 when that is 10 or 11. With the alphanumeric CNPJ (IN RFB
2.229/2024, NT 2025.001) a letter counts as its ASCII code minus 48 (digits keep their value), so
"A" counts 17.
"""

from __future__ import annotations

import hashlib
import re

MODEL = "62"
KEY_RE = re.compile(r"^[0-9]{6}[0-9A-Z]{12}[0-9]{26}$")


def char_value(ch: str) -> int:
    return ord(ch.upper()) - 48


def check_digit(first43: str) -> int:
    total = 0
    weight = 2
    for ch in reversed(first43):
        total += char_value(ch) * weight
        weight = 2 if weight == 9 else weight + 1
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def random_code(cnpj: str, series: int, number: int) -> str:
    """The 7-digit cNF: derived from the document's identity, so that building the same document
    again (a retry) gives the same key; never equal to the number, as the MOC requires."""
    digest = hashlib.sha256(f"{cnpj}|{series}|{number}".encode()).digest()
    code = int.from_bytes(digest[:8], "big") % 10_000_000
    if code == number % 10_000_000:
        code = (code + 1) % 10_000_000
    return f"{code:07d}"


def access_key(
    *,
    uf_code: int,
    year: int,
    month: int,
    cnpj: str,
    series: int,
    number: int,
    emission_type: int,
    site: int = 0,
    code: str,
) -> str:
    first = f"{uf_code:02d}{year % 100:02d}{month:02d}{cnpj.upper():0>14}{MODEL}{series:03d}{number:09d}"
    first += f"{emission_type}{site}{code}"
    if len(first) != 43:
        raise ValueError(f"access key body has {len(first)} characters, not 43")
    return first + str(check_digit(first))


def is_valid_key(key: str) -> bool:
    return bool(KEY_RE.match(key or "")) and check_digit(key[:43]) == int(key[43])
