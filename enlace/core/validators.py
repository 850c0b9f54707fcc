"""Validators shared by every app: the same rule at the form, the API and the model."""

import calendar
import datetime
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


# --- Dates: one bound for every form, serializer and billing period -------------------------------

#: Dates before 1900 or after 2100 are typing mistakes (a "9999-12" period billed invoices due in
#: 9999; year 1 was written as "1-01-01"). Every date the operator or an integrator types is refused
#: outside these years, naming the field (issue 14, "strict input").
DATE_MIN_YEAR = 1900
DATE_MAX_YEAR = 2100

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def date_out_of_range_message():
    return _("Enter a date between the years %(min)d and %(max)d.") % {
        "min": DATE_MIN_YEAR,
        "max": DATE_MAX_YEAR,
    }


def validate_date_in_range(value):
    """Refuse a date (or date-time) before 1900 or after 2100."""
    if value is not None and not DATE_MIN_YEAR <= value.year <= DATE_MAX_YEAR:
        raise ValidationError(date_out_of_range_message(), code="date_out_of_range")


def parse_period(value: str) -> tuple[datetime.date, datetime.date]:
    """A billing period ``"YYYY-MM"`` (competência) → (first day, last day) of the month.

    The only parser of periods: a malformed value or a year outside 1900–2100 is a
    ``ValidationError`` (the caller names the field)."""
    match = PERIOD_RE.match(value or "") if isinstance(value, str) else None
    if not match:
        raise ValidationError(_("Give the period as YYYY-MM, e.g. 2026-12."), code="invalid_period")
    year, month = int(match[1]), int(match[2])
    if not DATE_MIN_YEAR <= year <= DATE_MAX_YEAR:
        raise ValidationError(
            _("Give a period between the years %(min)d and %(max)d.")
            % {"min": DATE_MIN_YEAR, "max": DATE_MAX_YEAR},
            code="date_out_of_range",
        )
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)
