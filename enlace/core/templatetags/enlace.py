"""Template filters shared by every area: ``brl`` (money as ``R$ 1.234,56``), ``speed`` (kbit/s
as "300 Mbps"), ``competence`` ("2026-12" as "12/2026")."""

from django import template

from .. import display
from ..money import brl as _brl

register = template.Library()


@register.filter
def brl(value):
    """``R$ 1.234,56`` (``enlace.core.money.brl``); empty for an empty value."""
    if value is None or value == "":
        return ""
    return _brl(value)


@register.filter
def speed(kbps):
    """A speed in kbit/s as operators say it: 300000 → "300 Mbps" (``enlace.core.display.speed``)."""
    return display.speed(kbps)


@register.filter
def competence(period):
    """The competência "2026-12" as "12/2026" (``enlace.core.display.competence``)."""
    return display.competence(period)
