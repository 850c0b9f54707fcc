"""Template filters shared by every area: ``brl`` (money as ``R$ 1.234,56``), ``speed`` (kbit/s
as "300 Mbps")."""

from django import template

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
    """A speed in kbit/s as operators say it: 300000 → "300 Mbps", 1000000 → "1 Gbps", 512 → "512 kbps"."""
    try:
        value = int(kbps)
    except (TypeError, ValueError):
        return kbps
    for unit, size in (("Gbps", 1_000_000), ("Mbps", 1_000)):
        if value >= size and value % (size // 1000 or 1) == 0:
            amount = value / size
            return f"{amount:g} {unit}".replace(".", ",")
    return f"{value} kbps"
