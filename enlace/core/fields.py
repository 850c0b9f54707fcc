"""Form fields shared by every area.

``MoneyField`` (issue 19, item 4): money typed the Brazilian way. A ``type=number`` box in a pt-BR
browser turned "150,00" into 15000,00 without a word; this field is a text box that reads
"1.234,56", "1234,56", "1234.56", "1,234.56" and "R$ 150,00" — the last separator followed by one
or two digits is the decimal one, the others group thousands. A single dot followed by three digits
("1.234") is read as a decimal point and then refused for having three decimal places, never
silently multiplied. Every form built on ``core.forms.EnlaceFormMixin`` turns its money fields
(Django ``DecimalField`` with 12 digits and 2 places, ``MONEY`` in the models) into this one, and
other decimal fields into ``LocalDecimalField`` (the same reading, no "R$").
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from .widgets import MoneyInput

_SPACES = re.compile(r"[\s\u00a0]+")


def parse_decimal(text) -> Decimal | None:
    """``text`` as a Decimal, reading "," or "." as the decimal separator (see the module); None
    for an empty text; ``ValueError`` when it is not a number."""
    if text is None:
        return None
    if isinstance(text, int | float | Decimal):
        return Decimal(str(text))
    value = _SPACES.sub("", str(text)).removeprefix("R$").removeprefix("-R$")
    negative = str(text).strip().startswith("-")
    value = value.lstrip("-")
    if not value:
        return None
    if not re.fullmatch(r"[\d.,]+", value) or not re.search(r"\d", value):
        raise ValueError(text)
    last = max(value.rfind(","), value.rfind("."))
    if last >= 0:
        separator = value[last]
        integer, fraction = value[:last], value[last + 1 :]
        other = "." if separator == "," else ","
        if separator == "." and value.count(".") > 1 or separator == "," and value.count(",") > 1:
            # "1.234.567" or "1,234,567": thousands only
            integer, fraction = value.replace(separator, ""), ""
            if other in integer:
                raise ValueError(text)
        else:
            integer = integer.replace(other, "")
            if not integer.isdigit() and integer != "":
                raise ValueError(text)
        value = f"{integer or '0'}.{fraction}" if fraction else integer
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return -number if negative else number


class LocalDecimalField(forms.DecimalField):
    """A ``DecimalField`` that reads "1.234,56" as well as "1234.56" (``parse_decimal``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_decimal(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is None:
            return None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def widget_attrs(self, widget):
        return {} if isinstance(widget, forms.TextInput) else super().widget_attrs(widget)


class MoneyField(LocalDecimalField):
    """Money (12 digits, 2 places) typed the Brazilian way, in a text box with "R$" before it."""

    widget = MoneyInput

    def __init__(self, *, max_digits=12, decimal_places=2, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


def localize_decimal_fields(fields) -> None:
    """Turn the ``DecimalField``s of a form into ``MoneyField`` (12 digits, 2 places) or
    ``LocalDecimalField`` (the others), keeping their limits, label, help and attributes."""
    for name, field in list(fields.items()):
        if type(field) is not forms.DecimalField:
            continue
        money = field.max_digits == 12 and field.decimal_places == 2
        field.__class__ = MoneyField if money else LocalDecimalField
        attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("step", "min", "max")}
        if money:
            field.widget = MoneyInput(attrs=attrs)
        else:
            attrs.setdefault("inputmode", "decimal")
            field.widget = forms.TextInput(attrs=attrs)
        field.widget.is_required = field.required
        fields[name] = field
