"""Validators shared by every app: the same rule at the form, the API and the model."""

import re

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Q
from django.db.models.functions import Trim
from django.utils.translation import gettext_lazy as _
from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf
from stdnum.exceptions import ValidationError as StdnumError

EDGE_WHITESPACE = re.compile(r"^\s|\s$")


def has_edge_whitespace(value) -> bool:
    return isinstance(value, str) and bool(EDGE_WHITESPACE.search(value))


def validate_no_edge_whitespace(value):
    """SPEC G-2: no value may start or end with white space."""
    if has_edge_whitespace(value):
        raise ValidationError(_("Must not start or end with spaces."), code="whitespace")


def no_edge_whitespace_constraints(model_name: str, *fields: str) -> list[CheckConstraint]:
    """Database guard of G-2 for the given text fields (spaces at either end are refused)."""
    return [CheckConstraint(condition=Q(**{f: Trim(f)}), name=f"{model_name}_{f}_trimmed") for f in fields]


def only_alnum(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def normalize_cnpj(value: str) -> str:
    """Digits (or, since July 2026, uppercase letters and digits) of a CNPJ, validated."""
    compact = only_alnum(value)
    try:
        return stdnum_cnpj.validate(compact)
    except StdnumError as exc:
        raise ValidationError(_("Invalid CNPJ: %(value)s") % {"value": value}, code="invalid_cnpj") from exc


def normalize_cpf(value: str) -> str:
    compact = only_alnum(value)
    try:
        return stdnum_cpf.validate(compact)
    except StdnumError as exc:
        raise ValidationError(_("Invalid CPF: %(value)s") % {"value": value}, code="invalid_cpf") from exc


def validate_cnpj(value: str):
    normalize_cnpj(value)


def format_cnpj(value: str) -> str:
    return stdnum_cnpj.format(value) if value else ""


def format_cpf(value: str) -> str:
    return stdnum_cpf.format(value) if value else ""


def normalize_phone(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def validate_phone(value: str):
    digits = normalize_phone(value)
    if digits and not 10 <= len(digits) <= 13:
        raise ValidationError(
            _("Enter a phone number with area code (10 or 11 digits)."), code="invalid_phone"
        )
