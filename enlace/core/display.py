"""Values as a Brazilian operator reads them, for Python code (model ``__str__``, tables, messages)
and for the templates (the ``enlace`` filters): speeds in Mbps/Gbps, the competência as "12/2026",
dates and times in the local time zone (``TIME_ZONE``, America/Sao_Paulo), never UTC."""

import datetime

from django.utils import timezone


def speed(kbps) -> str:
    """A speed in kbit/s as operators say it: 300000 → "300 Mbps", 1000000 → "1 Gbps", 512 →
    "512 kbps"; anything else unchanged."""
    try:
        value = int(kbps)
    except (TypeError, ValueError):
        return kbps
    for unit, size in (("Gbps", 1_000_000), ("Mbps", 1_000)):
        if value >= size and value % (size // 1000 or 1) == 0:
            amount = value / size
            return f"{amount:g} {unit}".replace(".", ",")
    return f"{value} kbps"


def competence(period) -> str:
    """The competência (``YYYY-MM`` as stored) as "MM/YYYY": "2026-12" → "12/2026"."""
    text = str(period or "")
    year, sep, month = text.partition("-")
    if sep and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit():
        return f"{month}/{year}"
    return text


def local_datetime(value: datetime.datetime | None) -> str:
    """A moment as "07/12/2026 10:39" in the local time zone (an aware UTC value is converted)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")
