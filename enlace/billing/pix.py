"""PIX BR Code ("copia e cola") for a static or invoice payload, its parser, and the QR code image
(SPEC F-5).

The payload is EMV "merchant presented mode" TLV (ID(2) + length(2) + value) as Banco Central's
"Manual de Padrões para Iniciação do Pix" specifies, closed by a CRC-16/CCITT-FALSE (field 63).
Plain functions over plain values: no models, no Django. See ``docs/boleto-pix.md``.

Every value that does not fit raises :class:`PixError` (a ``ValueError``) whose ``field`` names the
input that is wrong.
"""

from __future__ import annotations

import binascii
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import segno
from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

__all__ = [
    "GUI",
    "BrCode",
    "PixError",
    "PixKey",
    "ascii_fold",
    "build_brcode",
    "crc16",
    "normalize_pix_key",
    "parse_brcode",
    "qr_png",
    "qr_svg",
]

GUI = "br.gov.bcb.pix"
"""Globally unique identifier of the PIX arrangement (field 26-00). Lower case: the CRC covers it."""

NAME_MAX = 25
CITY_MAX = 15
TXID_MAX = 25
KEY_MAX = 77
AMOUNT_MAX_CHARS = 13
MERCHANT_CATEGORY = "0000"
CURRENCY_BRL = "986"
COUNTRY = "BR"
NO_TXID = "***"


class PixError(ValueError):
    """A value does not fit a BR Code. ``field`` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- CRC and text -------------------------------------------------------------------------------


def crc16(data: str | bytes) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR)
    as 4 upper-case hex digits; ``crc16("123456789") == "29B1"``."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    return f"{binascii.crc_hqx(raw, 0xFFFF):04X}"


@functools.lru_cache(maxsize=1024)
def ascii_fold(text: str) -> str:
    """Accents stripped (NFKD, combining marks dropped); letter case as given. "São Paulo" →
    "Sao Paulo", "Ação" → "Acao"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


def _folded(field: str, value: object, limit: int | None, *, truncate: bool = False) -> str:
    if not isinstance(value, str):
        raise PixError(field, f"expected text, got {type(value).__name__}")
    text = ascii_fold(value).strip()
    if not text:
        raise PixError(field, "is required")
    if not _PRINTABLE_ASCII.fullmatch(text):
        bad = sorted({char for char in text if not _PRINTABLE_ASCII.fullmatch(char)})
        raise PixError(field, f"has characters with no ASCII form: {''.join(bad)!r}")
    if limit is not None and len(text) > limit:
        if not truncate:
            raise PixError(
                field, f"{text!r} has {len(text)} characters (after removing accents); at most {limit}"
            )
        text = text[:limit].rstrip()
    return text


# --- Keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PixKey:
    """A PIX key in the form the DICT stores it. ``kind``: cpf, cnpj, email, phone or evp."""

    kind: str
    value: str


_EVP_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EMAIL_RE = re.compile(
    r"[a-z0-9.!#$&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)
_PHONE_RE = re.compile(r"\+55[1-9][0-9][0-9]{8,9}")


def normalize_pix_key(key: str) -> PixKey:
    """Recognize and validate a PIX key, returning it normalized:

    - CPF (11 digits) or CNPJ (14 digits), punctuation removed, check digits verified;
    - e-mail, lower-cased, at most 77 characters;
    - phone: ``+55`` + area code + 8 or 9 digits (spaces, parentheses and hyphens removed);
    - EVP (random key): a UUID, lower-cased.
    """
    if not isinstance(key, str):
        raise PixError("key", f"expected text, got {type(key).__name__}")
    return _normalize_pix_key(key)


@functools.lru_cache(maxsize=256)  # a wallet's key is the same on every invoice
def _normalize_pix_key(key: str) -> PixKey:
    text = key.strip()
    if not text:
        raise PixError("key", "is required")
    if "@" in text:
        email = text.lower()
        if len(email) > KEY_MAX:
            raise PixError("key", f"an e-mail key has at most {KEY_MAX} characters, got {len(email)}")
        if not _EMAIL_RE.fullmatch(email):
            raise PixError("key", f"{text!r} is not a valid e-mail key")
        return PixKey("email", email)
    if text.startswith("+"):
        phone = re.sub(r"[\s()\-]", "", text)
        if not _PHONE_RE.fullmatch(phone):
            raise PixError("key", f"{text!r} is not a phone key: +55, a 2-digit area code and 8 or 9 digits")
        return PixKey("phone", phone)
    if _EVP_RE.fullmatch(text.lower()):
        return PixKey("evp", text.lower())
    digits = re.sub(r"[\s./\-]", "", text)
    if digits.isascii() and digits.isdigit():
        if len(digits) == 11:
            if not stdnum_cpf.is_valid(digits):
                raise PixError("key", f"{text!r} is not a valid CPF (a phone key starts with +55)")
            return PixKey("cpf", digits)
        if len(digits) == 14:
            if not stdnum_cnpj.is_valid(digits):
                raise PixError("key", f"{text!r} is not a valid CNPJ")
            return PixKey("cnpj", digits)
    raise PixError("key", f"{text!r} is not a CPF, CNPJ, e-mail, +55 phone or random (EVP) key")


# --- Building -----------------------------------------------------------------------------------


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PixError(f"field {tag}", f"value of {len(value)} characters does not fit (at most 99)")
    return f"{tag}{len(value):02d}{value}"


def _amount_text(amount: Decimal | int | str) -> str:
    if isinstance(amount, bool | float):
        raise PixError("amount", f"use a Decimal, not {type(amount).__name__} (not exact)")
    try:
        value = Decimal(amount) if isinstance(amount, int | str) else amount
    except InvalidOperation:
        raise PixError("amount", f"not a number: {amount!r}") from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise PixError("amount", f"expected a finite Decimal, got {amount!r}")
    if value <= 0:
        raise PixError("amount", f"must be positive, got {value}")
    if value != value.quantize(Decimal("0.01")):
        raise PixError("amount", f"{value} has more than two decimal places")
    text = f"{value:.2f}"
    if len(text) > AMOUNT_MAX_CHARS:
        raise PixError("amount", f"{text} is too large: at most {AMOUNT_MAX_CHARS} characters")
    return text


def _txid(txid: str | None) -> str:
    if txid is None or txid == "":
        return NO_TXID
    if not isinstance(txid, str) or not re.fullmatch(r"[A-Za-z0-9]{1,25}", txid):
        raise PixError("txid", f"only letters A-Z, a-z and digits, 1 to {TXID_MAX} of them; got {txid!r}")
    return txid


def build_brcode(
    *,
    key: str,
    name: str,
    city: str,
    amount: Decimal | int | str | None = None,
    txid: str | None = None,
    description: str | None = None,
    single_use: bool = False,
    truncate: bool = False,
) -> str:
    """The BR Code ("PIX copia e cola") of a static payload, or of one invoice when ``amount`` and
    ``txid`` are given.

    Fields in order: 00 payload format ``01``; 01 ``12`` only when ``single_use``; 26 merchant
    account (00 ``br.gov.bcb.pix``, 01 the key, 02 the description if any); 52 ``0000``; 53
    ``986``; 54 the amount with two decimals when given; 58 ``BR``; 59 name (≤ 25); 60 city (≤ 15);
    62 additional data (05 txid, ``***`` when none); 63 CRC16. Name, city and description are
    ASCII-folded (accents stripped, case kept) and their lengths counted after folding; with
    ``truncate`` a name or city that is too long is cut instead of refused.
    """
    pix_key = normalize_pix_key(key)
    account = _tlv("00", GUI) + _tlv("01", pix_key.value)
    if description:
        account += _tlv("02", _folded("description", description, None))
    if len(account) > 99:
        raise PixError(
            "description", f"key and description together are too long for field 26 ({len(account)} > 99)"
        )
    payload = _tlv("00", "01")
    if single_use:
        payload += _tlv("01", "12")
    payload += _tlv("26", account)
    payload += _tlv("52", MERCHANT_CATEGORY)
    payload += _tlv("53", CURRENCY_BRL)
    if amount is not None:
        payload += _tlv("54", _amount_text(amount))
    payload += _tlv("58", COUNTRY)
    payload += _tlv("59", _folded("name", name, NAME_MAX, truncate=truncate))
    payload += _tlv("60", _folded("city", city, CITY_MAX, truncate=truncate))
    payload += _tlv("62", _tlv("05", _txid(txid)))
    payload += "6304"
    return payload + crc16(payload)


# --- Parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrCode:
    """A BR Code read back. ``key`` is ``None`` for a dynamic code (which carries ``url``
    instead); ``txid`` is ``None`` for ``***``."""

    payload: str
    key: str | None
    url: str | None
    name: str
    city: str
    amount: Decimal | None
    txid: str | None
    description: str | None
    merchant_category: str
    currency: str
    country: str
    single_use: bool
    crc: str
    fields: dict[str, str] = field(default_factory=dict)
    """Every top-level field, by ID (raw values)."""


def _parse_tlv(text: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise PixError("payload", f"{where}: malformed field header {header!r} at position {position}")
        tag, length = header[:2], int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise PixError("payload", f"{where}: field {tag} is cut short (length {length})")
        if tag in fields:
            raise PixError("payload", f"{where}: field {tag} appears twice")
        fields[tag] = value
        position += 4 + length
    return fields


def parse_brcode(payload: str) -> BrCode:
    """Check a BR Code (its CRC, structure and mandatory fields) and return its fields."""
    if not isinstance(payload, str):
        raise PixError("payload", f"expected text, got {type(payload).__name__}")
    text = payload.strip()
    if not text.isascii():
        raise PixError("payload", "has characters that are not ASCII")
    if len(text) < 8 or text[-8:-4] != "6304":
        raise PixError("payload", "does not end with the CRC field (6304 + 4 hex digits)")
    expected = crc16(text[:-4])
    if text[-4:].upper() != expected:
        raise PixError("payload", f"CRC is {text[-4:]}, expected {expected}")
    fields = _parse_tlv(text, "payload")
    if not text.startswith("000201"):
        raise PixError("payload", "must start with the payload format indicator 000201")
    for tag in ("52", "53", "58", "59", "60"):
        if tag not in fields:
            raise PixError("payload", f"mandatory field {tag} is missing")

    account = None
    for tag in (f"{n:02d}" for n in range(26, 52)):
        if tag in fields:
            nested = _parse_tlv(fields[tag], f"field {tag}")
            if nested.get("00", "").lower() == GUI:
                account = nested
                break
    if account is None:
        raise PixError("payload", f"no merchant account field with GUI {GUI}")
    if "01" not in account and "25" not in account:
        raise PixError("payload", "the PIX merchant account has neither a key (01) nor a URL (25)")

    amount = None
    if "54" in fields:
        try:
            amount = Decimal(fields["54"])
        except InvalidOperation:
            raise PixError("payload", f"amount {fields['54']!r} is not a number") from None
        if not amount.is_finite() or amount <= 0:
            raise PixError("payload", f"amount {fields['54']!r} is not a positive number")

    txid = None
    if "62" in fields:
        txid = _parse_tlv(fields["62"], "field 62").get("05")
        if txid == NO_TXID:
            txid = None

    return BrCode(
        payload=text,
        key=account.get("01"),
        url=account.get("25"),
        name=fields["59"],
        city=fields["60"],
        amount=amount,
        txid=txid,
        description=account.get("02"),
        merchant_category=fields["52"],
        currency=fields["53"],
        country=fields["58"],
        single_use=fields.get("01") == "12",
        crc=text[-4:].upper(),
        fields=fields,
    )


# --- QR code ------------------------------------------------------------------------------------


def _qr(payload: str) -> segno.QRCode:
    # Error correction at least M; segno raises it for free when the symbol has room.
    return segno.make_qr(payload, error="m")


def qr_png(payload: str, *, scale: int = 8, border: int = 4) -> bytes:
    """PNG image of the QR code of ``payload`` (``scale`` pixels per module, quiet zone of
    ``border`` modules)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_svg(payload: str, *, scale: int = 4, border: int = 4) -> str:
    """SVG document (text) of the QR code of ``payload``."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="svg", scale=scale, border=border, xmldecl=False)
    return buffer.getvalue().decode("utf-8")
