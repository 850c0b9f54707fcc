"""Validators and formatters of the customer registry: documents, Brazilian phones, e-mail lists.

The same functions serve the model (``full_clean`` in the services), the forms and the API, so an
operator reads the same message wherever the value was typed.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from enlace.core.validators import format_cnpj, format_cpf, normalize_cnpj, normalize_cpf, only_alnum

# Area codes ("DDD") in use in Brazil (Anatel).
VALID_DDD = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        22,
        24,
        27,
        28,
        31,
        32,
        33,
        34,
        35,
        37,
        38,
        41,
        42,
        43,
        44,
        45,
        46,
        47,
        48,
        49,
        51,
        53,
        54,
        55,
        61,
        62,
        63,
        64,
        65,
        66,
        67,
        68,
        69,
        71,
        73,
        74,
        75,
        77,
        79,
        81,
        82,
        83,
        84,
        85,
        86,
        87,
        88,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
        97,
        98,
        99,
    }
)

_email_validator = EmailValidator()


def fold(value: str | None) -> str:
    """Lower-case, accent-free, single-spaced text: the form compared and searched (A-4: duplicate
    addresses are compared case- and accent-insensitively; C-6: so is the name search)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def normalize_br_phone(value: str | None) -> str:
    """Digits of a phone; a leading country code 55 is dropped (+55 11 98888-7777 → 11988887777)."""
    number = digits(value)
    if len(number) in (12, 13) and number.startswith("55"):
        number = number[2:]
    return number


def validate_br_phone(value: str | None):
    """A Brazilian number with area code: 10 digits (landline) or 11 (mobile, starting with 9)."""
    number = normalize_br_phone(value)
    if not number:
        return
    if len(number) not in (10, 11):
        raise ValidationError(
            _("Enter a phone number with area code (10 or 11 digits): %(value)s") % {"value": value},
            code="invalid_phone",
        )
    if int(number[:2]) not in VALID_DDD:
        raise ValidationError(
            _("%(ddd)s is not a Brazilian area code (DDD).") % {"ddd": number[:2]}, code="invalid_ddd"
        )
    if len(number) == 11 and number[2] != "9":
        raise ValidationError(
            _("A mobile number with 11 digits starts with 9 after the area code."), code="invalid_phone"
        )
    if len(number) == 10 and number[2] not in "2345":
        raise ValidationError(
            _("A landline number starts with 2, 3, 4 or 5 after the area code."), code="invalid_phone"
        )


def format_phone(value: str | None) -> str:
    number = digits(value)
    if len(number) == 11:
        return f"({number[:2]}) {number[2:7]}-{number[7:]}"
    if len(number) == 10:
        return f"({number[:2]}) {number[2:6]}-{number[6:]}"
    return value or ""


def validate_email_list(value: str | None):
    """SPEC K-3: one or more addresses separated by ";" with no spaces; each one must be valid."""
    if not value:
        return
    errors = []
    for part in value.split(";"):
        if part == "":
            errors.append(_("Empty address: remove the extra “;”."))
        elif part != part.strip() or " " in part:
            errors.append(_("“%(value)s”: separate addresses with “;” and no spaces.") % {"value": part})
        else:
            try:
                _email_validator(part)
            except ValidationError:
                errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": part})
    if errors:
        raise ValidationError(errors, code="invalid_email")


def normalize_cep(value: str | None) -> str:
    return digits(value)


def validate_cep(value: str | None):
    if value and len(digits(value)) != 8:
        raise ValidationError(_("A CEP has 8 digits."), code="invalid_cep")


def format_cep(value: str | None) -> str:
    number = digits(value)
    return f"{number[:5]}-{number[5:]}" if len(number) == 8 else (value or "")


def normalize_document(person_type: str, value: str | None) -> str:
    """Validated, unmasked CPF (F) or CNPJ (J, alphanumeric included); other types keep letters and
    digits without validation (a foreigner's passport or RNE)."""
    if not value:
        return ""
    if person_type == "F":
        return normalize_cpf(value)
    if person_type == "J":
        return normalize_cnpj(value)
    return only_alnum(value)


def format_document(person_type: str, value: str | None) -> str:
    if not value:
        return ""
    try:
        if person_type == "F" and len(value) == 11:
            return format_cpf(value)
        if person_type == "J" and len(value) == 14:
            return format_cnpj(value)
    except Exception:  # noqa: BLE001 - a stored value that does not format is shown as it is
        return value
    return value
